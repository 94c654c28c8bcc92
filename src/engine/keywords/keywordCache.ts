/**
 * Cache of MLM surprise per text, per MLM. What is cached is the model's output (one surprise per
 * candidate occurrence, in candidate order — candidates are a pure function of the text), not the
 * ranking: the ranking also depends on corpus IDF, which changes as the library grows, and is cheap.
 *
 * The backing chosen for now is one JSON file per MLM next to the index, `<dbDir>/keywords__<mlm>.json`,
 * written to a temporary file and renamed, so a crash never leaves half a file. It records the
 * model's fingerprint: retrained weights under the same id start an empty cache.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeJsonAtomic } from '../node/atomicFile';

export interface KeywordCache {
  get(key: string): number[] | undefined;
  set(key: string, surprise: readonly number[]): void;
}

/** The cache key of a scored text: sha256 of the text itself, so `--text` and papers share it. */
export function keywordCacheKey(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

export function keywordCacheFile(dbDir: string, mlmId: string): string {
  return path.join(dbDir, `keywords__${mlmId.replace(/[^A-Za-z0-9._-]+/g, '_')}.json`);
}

interface CacheFileShape {
  model: string;
  entries: Record<string, number[]>;
}

export class JsonFileKeywordCache implements KeywordCache {
  private readonly entries = new Map<string, number[]>();
  private dirty = false;

  constructor(
    readonly file: string,
    private readonly modelFingerprint: string,
    private readonly maxEntries = 20_000,
  ) {
    if (!existsSync(file)) return;
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<CacheFileShape>;
      if (parsed.model !== modelFingerprint || typeof parsed.entries !== 'object' || parsed.entries === null) return;
      for (const [k, v] of Object.entries(parsed.entries)) if (Array.isArray(v) && v.every((x) => typeof x === 'number' || x === null)) this.entries.set(k, v.map((x) => x ?? Number.NaN));
    } catch {
      // A corrupt cache is only lost work: start empty and overwrite it on the next flush.
    }
  }

  get(key: string): number[] | undefined {
    return this.entries.get(key);
  }

  set(key: string, surprise: readonly number[]): void {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    // Three decimals are far below the differences that change a ranking and halve the file.
    this.entries.set(
      key,
      surprise.map((x) => Math.round(x * 1000) / 1000),
    );
    this.dirty = true;
  }

  /** Writes the file if anything changed (NaN is stored as null). */
  flush(): void {
    if (!this.dirty) return;
    const shape: CacheFileShape = { model: this.modelFingerprint, entries: Object.fromEntries(this.entries) };
    writeJsonAtomic(this.file, shape);
    this.dirty = false;
  }
}

/** For one-off runs and tests. */
export class MemoryKeywordCache implements KeywordCache {
  readonly entries = new Map<string, number[]>();
  get(key: string): number[] | undefined {
    return this.entries.get(key);
  }
  set(key: string, surprise: readonly number[]): void {
    this.entries.set(key, [...surprise]);
  }
}
