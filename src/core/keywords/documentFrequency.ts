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
  readonly counts = new Map<string, number>();

  count(key: string): number {
    return this.counts.get(key) ?? 0;
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

  toJSON(): { documents: number; counts: Record<string, number> } {
    return { documents: this.documents, counts: Object.fromEntries(this.counts) };
  }

  static fromJSON(value: unknown): DocumentFrequencyTable {
    const table = new DocumentFrequencyTable();
    if (typeof value !== 'object' || value === null) return table;
    const v = value as { documents?: unknown; counts?: unknown };
    if (typeof v.documents === 'number') table.documents = v.documents;
    if (typeof v.counts === 'object' && v.counts !== null) {
      for (const [k, n] of Object.entries(v.counts)) if (typeof n === 'number') table.counts.set(k, n);
    }
    return table;
  }
}
