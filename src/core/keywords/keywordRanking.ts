/**
 * Shared pieces of keyphrase ranking: span scores, document frequency and IDF, per-occurrence MLM
 * surprise (a phrase's own surprise mixed with its words'), and the TF-IDF baseline the benchmark
 * compares against. The shipped scoring is keyphraseScoring.ts.
 */
import type { Candidate, Term } from './candidatePhrases';

export interface KeywordSpanScore {
  text: string;
  score: number;
  start: number;
  end: number;
}

export interface RankedKeyphrase extends KeywordSpanScore {
  key: string;
  occurrences: number;
}

/** Corpus document frequency over candidate keys (stemmed phrases of up to four terms). */
export interface DocumentFrequency {
  documents: number;
  count(key: string): number;
}

export function inverseDocumentFrequency(df: DocumentFrequency | undefined, key: string): number {
  if (!df || df.documents === 0) return 0;
  return Math.log((df.documents + 1) / (df.count(key) + 1));
}

/** Score of each candidate occurrence: span surprise mixed with the mean of its terms' own surprise. */
export function occurrenceScores(
  candidates: readonly Candidate[],
  terms: readonly (Term | null)[],
  surprise: ArrayLike<number>,
  spanWeight: number,
): Float64Array {
  // A term's own surprise is that of the one-term candidate starting at it.
  const termSurprise = new Map<number, number>();
  candidates.forEach((c, i) => {
    if (c.firstTerm === c.lastTerm) termSurprise.set(c.firstTerm, surprise[i] ?? Number.NaN);
  });
  return Float64Array.from(candidates, (c, i) => {
    const own = surprise[i] ?? Number.NaN;
    // A phrase longer than the masked limit has no span surprise of its own: its words speak for it.
    if (c.firstTerm === c.lastTerm || (spanWeight >= 1 && Number.isFinite(own))) return own;
    const parts: number[] = [];
    for (let t = c.firstTerm; t <= c.lastTerm; t++) {
      const s = termSurprise.get(t);
      if (!terms[t]?.stop && s !== undefined && Number.isFinite(s)) parts.push(s);
    }
    if (parts.length === 0) return own;
    const mean = parts.reduce((a, b) => a + b, 0) / parts.length;
    return Number.isFinite(own) ? spanWeight * own + (1 - spanWeight) * mean : mean;
  });
}

/** The baseline: term frequency in the text times IDF, over the same candidates. */
export function rankByTfIdf(candidates: readonly Candidate[], df: DocumentFrequency | undefined): RankedKeyphrase[] {
  const byKey = new Map<string, { first: Candidate; occurrences: number }>();
  for (const c of candidates) {
    const entry = byKey.get(c.key);
    if (entry) entry.occurrences += 1;
    else byKey.set(c.key, { first: c, occurrences: 1 });
  }
  return [...byKey]
    .map(([key, { first, occurrences }]) => ({ text: first.text, start: first.start, end: first.end, key, occurrences, score: occurrences * inverseDocumentFrequency(df, key) }))
    .sort((a, b) => b.score - a.score || a.start - b.start);
}
