/**
 * Turns per-occurrence MLM surprise into keyphrase scores and a word heat-map. The variants measured
 * in bench/keywordQuality.ts are options here, so the bench and the engine rank with the same code.
 *
 * Why the parts and the corpus statistics: a masked span's surprise alone over-rewards rare but
 * uninformative words, and a term repeated in the abstract gets *less* surprising each time (the
 * model copies it from context) — the opposite of what a keyphrase does. Averaging the phrase's own
 * surprise with its words', and adding IDF and a repetition bonus, corrects for both.
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

/** Corpus document frequency over candidate keys (stemmed 1–3-term phrases). */
export interface DocumentFrequency {
  documents: number;
  count(key: string): number;
}

export interface RankingOptions {
  /**
   * Weight of the MLM surprise. Negative values reward what the context predicts (a topical term is
   * predictable from the rest of its abstract); 0 leaves an additive TF-IDF with a length prior.
   */
  mlmWeight: number;
  /** Weight of the span's own surprise vs the mean surprise of its terms masked alone (1 = span only). */
  spanWeight: number;
  /** How occurrences of one key combine: the most surprising one, or their mean. */
  occurrences: 'max' | 'mean';
  /** Added per ln(1 + occurrences). */
  repetitionWeight: number;
  /** Added per unit of IDF (ln((N + 1) / (df + 1))); 0 ignores the corpus. */
  idfWeight: number;
  /** Added per term beyond the first: keyphrases are mostly multi-word. */
  lengthBonus: number;
}

/**
 * Tuned on the even half of SemEval 2017 with the bundled atlas-mini-mlm (bench/keywordQuality.ts):
 * F1@10 0.215 against 0.209 for TF-IDF and 0.209 for the same formula without the MLM term. With a
 * masked-token accuracy of ~7%, the small MLM adds little beyond corpus statistics; a stronger MLM
 * should be re-tuned.
 */
export const DEFAULT_RANKING: RankingOptions = { mlmWeight: 0.5, spanWeight: 1, occurrences: 'max', repetitionWeight: 8, idfWeight: 1, lengthBonus: 0.5 };

/** Tuned the same way with no corpus at all (a library too small for IDF): F1@10 0.190. */
export const DEFAULT_RANKING_WITHOUT_IDF: RankingOptions = { mlmWeight: 0.25, spanWeight: 1, occurrences: 'mean', repetitionWeight: 4, idfWeight: 0, lengthBonus: 1 };

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

/** Keyphrases best first, one per stemmed key (its first occurrence gives the character span). */
export function rankKeyphrases(
  candidates: readonly Candidate[],
  scores: ArrayLike<number>,
  options: RankingOptions,
  df?: DocumentFrequency,
): RankedKeyphrase[] {
  const byKey = new Map<string, { first: Candidate; values: number[]; occurrences: number }>();
  candidates.forEach((c, i) => {
    const s = scores[i] ?? Number.NaN;
    let entry = byKey.get(c.key);
    if (!entry) byKey.set(c.key, (entry = { first: c, values: [], occurrences: 0 }));
    entry.occurrences += 1;
    if (Number.isFinite(s)) entry.values.push(s);
  });
  const ranked: RankedKeyphrase[] = [];
  for (const [key, { first, values, occurrences }] of byKey) {
    if (values.length === 0) continue;
    const base = options.occurrences === 'max' ? Math.max(...values) : values.reduce((a, b) => a + b, 0) / values.length;
    const termCount = first.lastTerm - first.firstTerm + 1;
    const score =
      options.mlmWeight * base +
      options.repetitionWeight * Math.log1p(occurrences) +
      options.idfWeight * inverseDocumentFrequency(df, key) +
      options.lengthBonus * (termCount - 1);
    ranked.push({ text: first.text, start: first.start, end: first.end, key, score, occurrences });
  }
  return ranked.sort((a, b) => b.score - a.score || a.start - b.start);
}

/**
 * The heat-map: one span per content term occurrence, in text order, scored like a one-term
 * keyphrase (occurrence score + IDF); spans never overlap.
 */
export function termHeatMap(
  candidates: readonly Candidate[],
  scores: ArrayLike<number>,
  options: RankingOptions,
  df?: DocumentFrequency,
): KeywordSpanScore[] {
  const out: KeywordSpanScore[] = [];
  candidates.forEach((c, i) => {
    const s = scores[i] ?? Number.NaN;
    if (c.firstTerm !== c.lastTerm || !Number.isFinite(s)) return;
    out.push({ text: c.text, start: c.start, end: c.end, score: options.mlmWeight * s + options.idfWeight * inverseDocumentFrequency(df, c.key) });
  });
  return out.sort((a, b) => a.start - b.start);
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
