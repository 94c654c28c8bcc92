/**
 * A bounded "more like this" query: a paper's most telling words (tf·idf against the library) instead
 * of its whole text. The whole text as a full-text query scores every posting list of 150–250 words,
 * most of them common ("model", "results"), which is what made related work slow at 75k papers; the
 * rare, repeated words carry nearly all of the BM25 score that decides the ranking anyway.
 * Words are split as LanceDB's default ("simple") full-text tokenizer splits them: lowercase runs of
 * letters and digits.
 */
import { isStopWord } from './keywords/stopWords';

export function textTerms(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Document frequency of every word over a library (each paper's text counted once per word). */
export class TermStatistics {
  documents = 0;
  readonly documentFrequency = new Map<string, number>();

  addDocument(text: string): void {
    this.documents += 1;
    for (const term of new Set(textTerms(text))) this.documentFrequency.set(term, (this.documentFrequency.get(term) ?? 0) + 1);
  }

  /** BM25's idf, never negative. */
  idf(term: string): number {
    const df = this.documentFrequency.get(term) ?? 0;
    return Math.log(1 + (this.documents - df + 0.5) / (df + 0.5));
  }

  /** A plain object for JSON (a file the engine keeps so that a new process need not count again). */
  toJSON(): { documents: number; documentFrequency: [string, number][] } {
    return { documents: this.documents, documentFrequency: [...this.documentFrequency] };
  }

  /** Back from `toJSON()`'s shape; undefined for anything else (a damaged or foreign file). */
  static fromJSON(value: unknown): TermStatistics | undefined {
    if (typeof value !== 'object' || value === null) return undefined;
    const { documents, documentFrequency } = value as Record<string, unknown>;
    if (!Number.isInteger(documents) || (documents as number) < 0 || !Array.isArray(documentFrequency)) return undefined;
    const stats = new TermStatistics();
    stats.documents = documents as number;
    for (const entry of documentFrequency as unknown[]) {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !Number.isInteger(entry[1]) || entry[1] < 1 || entry[1] > stats.documents) return undefined;
      stats.documentFrequency.set(entry[0], entry[1] as number);
    }
    return stats;
  }
}

function worthQuerying(term: string): boolean {
  return term.length > 1 && !/^\d+$/.test(term) && !isStopWord(term);
}

export interface MoreLikeThisLimits {
  /** At most this many words, best tf·idf first. */
  maxTerms: number;
  /**
   * Words in fewer papers cannot find a neighbour and are skipped: 2 for a paper of the library (it
   * counts itself), 1 for a text from outside it.
   */
  minDocumentFrequency?: number;
  /** Words in more than this share of the papers are skipped: long posting lists, little idf. */
  maxDocumentShare?: number;
}

/** The words of `text` worth a full-text query for papers like it, best tf·idf first. */
export function topTerms(text: string, stats: TermStatistics, limits: MoreLikeThisLimits): string[] {
  const minDf = limits.minDocumentFrequency ?? 2;
  const maxDf = (limits.maxDocumentShare ?? 1) * stats.documents;
  const tf = new Map<string, number>();
  for (const t of textTerms(text)) if (worthQuerying(t)) tf.set(t, (tf.get(t) ?? 0) + 1);
  return [...tf.entries()]
    .filter(([t]) => {
      const df = stats.documentFrequency.get(t) ?? 0;
      return df >= minDf && df <= maxDf;
    })
    .map(([t, n]) => ({ t, w: n * stats.idf(t) }))
    .sort((a, b) => b.w - a.w || (a.t < b.t ? -1 : a.t > b.t ? 1 : 0))
    .slice(0, limits.maxTerms)
    .map((x) => x.t);
}
