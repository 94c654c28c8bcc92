/**
 * Document frequency of candidate keys (stemmed phrases of up to MAX_PHRASE_TERMS terms; noun-phrase
 * candidates are a subset of these n-grams) over a corpus: the engine builds
 * it from the library, the benchmark from arXiv abstracts. Counting only keys a caller asks for
 * keeps the table small when the corpus is large.
 */
import { candidatePhrases } from './candidatePhrases';
import type { DocumentFrequency } from './keywordRanking';
import { MAX_PHRASE_TERMS } from './nounPhrases';
import { splitWords } from './wordSpans';

export class DocumentFrequencyTable implements DocumentFrequency {
  documents = 0;
  /** What a key the table does not hold counts: 0, or 1 once singletons are dropped. */
  private floor = 0;

  constructor(readonly counts = new Map<string, number>()) {}

  count(key: string): number {
    return this.counts.get(key) ?? this.floor;
  }

  /** What a key the table does not hold counts (see dropSingletons). */
  get absentCount(): number {
    return this.floor;
  }

  /** A table from its parts (as a worker thread posts them back: a Map clones faster than an object). */
  static fromCounts(documents: number, absentCount: number, counts: Map<string, number>): DocumentFrequencyTable {
    const table = new DocumentFrequencyTable(counts);
    table.documents = documents;
    table.floor = absentCount === 1 ? 1 : 0;
    return table;
  }

  /**
   * Drops the keys of a single document. Most n-gram keys of a large library occur once (at 75k
   * abstracts the full table was a 93 MB file whose parse blocked the engine for 3.7 s, and at 1M it
   * would pass V8's longest string). A key the table no longer holds then counts 1: exact for the
   * library's own papers (a phrase of an indexed paper is in at least that paper), one too many for
   * a phrase of free text found in no paper; "in no other paper" (count <= 1) stays exact for both.
   */
  dropSingletons(): this {
    for (const [key, n] of this.counts) if (n <= 1) this.counts.delete(key);
    this.floor = 1;
    return this;
  }

  /** Adds one document; `keep` restricts which keys are counted. */
  addDocument(text: string, keep?: (key: string) => boolean): void {
    this.documents += 1;
    const seen = new Set<string>();
    for (const c of candidatePhrases(text, splitWords(text), MAX_PHRASE_TERMS).candidates) {
      if (seen.has(c.key) || (keep && !keep(c.key))) continue;
      seen.add(c.key);
      this.counts.set(c.key, (this.counts.get(c.key) ?? 0) + 1);
    }
  }

  toJSON(): { documents: number; floor: number; counts: Record<string, number> } {
    return { documents: this.documents, floor: this.floor, counts: Object.fromEntries(this.counts) };
  }

  static fromJSON(value: unknown): DocumentFrequencyTable {
    const table = new DocumentFrequencyTable();
    if (typeof value !== 'object' || value === null) return table;
    const v = value as { documents?: unknown; floor?: unknown; counts?: unknown };
    if (typeof v.documents === 'number') table.documents = v.documents;
    if (v.floor === 1) table.floor = 1;
    if (typeof v.counts === 'object' && v.counts !== null) {
      for (const [k, n] of Object.entries(v.counts)) if (typeof n === 'number') table.counts.set(k, n);
    }
    return table;
  }
}

/** The library's table, singletons dropped (the engine runs this in a worker thread: documentFrequency.worker.ts). */
export function countDocumentFrequency(texts: Iterable<string>): DocumentFrequencyTable {
  const table = new DocumentFrequencyTable();
  for (const text of texts) table.addDocument(text);
  return table.dropSingletons();
}
