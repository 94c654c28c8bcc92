/**
 * Related lists of recently asked papers (the ones a user hovers, cites and selects again and again),
 * kept so a repeat costs one version check (0.7 ms) instead of the paper's look-ups, a vector search, a
 * full-text search and the fusion.
 *
 * An entry is valid only for the table version it was computed on: any write to the index, by this
 * engine or by another process sharing the folder, may change the paper itself (its text: its
 * neighbours change), add a neighbour or change another paper's title, so it invalidates every entry.
 * (An earlier version also keyed on the paper's content hash, which cost two look-ups by id before
 * the cache could answer: 6–9 ms at 75k papers, for nothing the version does not already say.)
 * Least recently used entries go first.
 */
import { LruMap } from '../../core/lruMap';
import type { SearchHit } from '../../shared/engineProtocol';

interface Entry {
  version: number;
  hits: SearchHit[];
}

export const RELATED_CACHE_ENTRIES = 512;

export class RelatedCache {
  private readonly entries: LruMap<string, Entry>;

  constructor(capacity = RELATED_CACHE_ENTRIES) {
    this.entries = new LruMap(capacity);
  }

  static key(id: string, k: number, diversity: number | undefined): string {
    return JSON.stringify([id, k, diversity ?? null]);
  }

  get(key: string, version: number): SearchHit[] | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.version !== version) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.hits.map((h) => ({ ...h }));
  }

  set(key: string, version: number, hits: readonly SearchHit[]): void {
    this.entries.set(key, { version, hits: hits.map((h) => ({ ...h })) });
  }

  get size(): number {
    return this.entries.size;
  }
}
