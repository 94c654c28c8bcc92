/**
 * Keyphrase scoring from per-phrase features, diverse top-k selection, and the heat-map spans.
 *
 * Features of one stemmed key (computed once per text, so the benchmark can try many weightings):
 * - surprise: the masked LM's surprise of the phrase (−mean log P of its pieces with the whole phrase
 *   masked, mixed with its words' own surprise; the most surprising occurrence);
 * - prior: the mean library IDF of the phrase's words — what a word's rarity alone predicts. The
 *   weighted difference surprise − prior is surprise *relative to the frequency prior*: a word rare
 *   everywhere is surprising to any model and is not a keyphrase for that;
 * - idf: the library IDF of the whole phrase (a phrase the library's papers share has a moderate one);
 * - tf: ln(1 + occurrences); position: 1 − (first start / text length); length: terms − 1;
 * - similarity: cosine of the phrase's embedding with the text's (the encoder's), when computed;
 * - unshared: 1 when no other library document has the phrase (the issue's "rare everywhere");
 * - listed: how many other library papers give the phrase as one of their own keywords.
 * The weights live in keyphraseWeights.json, written by the tuning run of bench/keywordQuality.ts.
 */
import type { Candidate, Term } from './candidatePhrases';
import { inverseDocumentFrequency, type DocumentFrequency, type KeywordSpanScore } from './keywordRanking';
import type { TermClass } from './nounPhrases';
import tuned from './keyphraseWeights.json';

export type Containment = 'keep' | 'drop' | 'independent';

export interface KeyphraseWeights {
  surprise: number;
  /** Span surprise vs the mean of its words' (1 = span only; longer phrases than the masked limit use words). */
  spanWeight: number;
  prior: number;
  idf: number;
  tf: number;
  position: number;
  length: number;
  similarity: number;
  /** Added when no other paper of the library has the phrase (rare everywhere; negative = penalty). */
  unshared: number;
  /** Per ln(1 + number of other library papers that list the phrase among their own keywords). */
  listed: number;
  /**
   * A phrase that contains, or is contained in, a better one: 'drop' it, keep it only if it occurs
   * on its own elsewhere in the text ('independent'), or 'keep' it.
   */
  containment: Containment;
  /**
   * MMR-style diversity: redundancy × (standard deviation of the text's phrase scores) × (share of
   * the phrase's stemmed words already shown by the phrases chosen before it), so "slot · slot
   * connection · connection" does not fill the list. In units of the scores' spread, so scaling
   * every other weight does not weaken it.
   */
  redundancy: number;
}

export interface PhraseFeatures {
  key: string;
  text: string;
  start: number;
  end: number;
  terms: number;
  occurrences: number;
  /** Character ranges of every occurrence (for containment and the heat-map). */
  ranges: [number, number][];
  surprise: number;
  prior: number;
  idf: number;
  tf: number;
  position: number;
  length: number;
  similarity: number;
  /** 1 when at most one library document has the phrase (this one), else 0; 0 without a library. */
  unshared: number;
  /** ln(1 + other library papers listing the phrase as a keyword). */
  listed: number;
}

/**
 * How many papers of the library list a stemmed key among their own keywords (`phraseKey` of each
 * keyword), not counting the paper being ranked: the caller leaves its own keywords out.
 */
export type ListedKeywordCount = (key: string) => number;

interface WeightsFile {
  withLibrary: KeyphraseWeights;
  withoutLibrary: KeyphraseWeights;
}

const weightsFile = tuned as WeightsFile;
/** Tuned with library IDF (a library of at least MIN_PAPERS_FOR_IDF papers). */
export const KEYPHRASE_WEIGHTS: KeyphraseWeights = weightsFile.withLibrary;
/** Tuned with no corpus statistics at all (prior and idf are 0 there). */
export const KEYPHRASE_WEIGHTS_WITHOUT_LIBRARY: KeyphraseWeights = weightsFile.withoutLibrary;

/**
 * One feature row per stemmed key, its first occurrence giving text and span. `occurrenceSurprise`
 * is per candidate (keywordRanking.ts `occurrenceScores`); an unscored phrase gets the text's median.
 */
export function phraseFeatures(
  text: string,
  candidates: readonly Candidate[],
  terms: readonly (Term | null)[],
  occurrenceSurprise: ArrayLike<number>,
  df?: DocumentFrequency,
  listed?: ListedKeywordCount,
): PhraseFeatures[] {
  const byKey = new Map<string, { first: Candidate; ranges: [number, number][]; best: number }>();
  candidates.forEach((c, i) => {
    const s = occurrenceSurprise[i] ?? Number.NaN;
    let e = byKey.get(c.key);
    if (!e) byKey.set(c.key, (e = { first: c, ranges: [], best: Number.NaN }));
    e.ranges.push([c.start, c.end]);
    if (Number.isFinite(s) && !(s <= e.best)) e.best = s;
  });
  const finite = [...byKey.values()].map((e) => e.best).filter(Number.isFinite).sort((a, b) => a - b);
  const median = finite.length ? finite[Math.floor(finite.length / 2)]! : 0;
  const wordIdf = new Map<string, number>();
  const idfOfWord = (key: string): number => {
    let v = wordIdf.get(key);
    if (v === undefined) wordIdf.set(key, (v = inverseDocumentFrequency(df, key)));
    return v;
  };
  const length = Math.max(1, text.length);
  return [...byKey].map(([key, { first, ranges, best }]) => {
    let prior = 0;
    let n = 0;
    for (let t = first.firstTerm; t <= first.lastTerm; t++) {
      const term = terms[t];
      if (!term) continue;
      prior += idfOfWord(term.key);
      n++;
    }
    const termCount = first.lastTerm - first.firstTerm + 1;
    return {
      key,
      text: first.text,
      start: first.start,
      end: first.end,
      terms: termCount,
      occurrences: ranges.length,
      ranges,
      surprise: Number.isFinite(best) ? best : median,
      prior: n ? prior / n : 0,
      idf: inverseDocumentFrequency(df, key),
      tf: Math.log1p(ranges.length),
      position: 1 - first.start / length,
      length: termCount - 1,
      similarity: 0,
      unshared: df && df.documents > 0 && df.count(key) <= 1 ? 1 : 0,
      listed: listed ? Math.log1p(listed(key)) : 0,
    };
  });
}

export function keyphraseScore(f: PhraseFeatures, w: KeyphraseWeights): number {
  return (
    w.surprise * f.surprise - w.prior * f.prior + w.idf * f.idf + w.tf * f.tf + w.position * f.position + w.length * f.length + w.similarity * f.similarity + w.unshared * f.unshared + w.listed * f.listed
  );
}

/** `inner` is a contiguous run of `outer`'s words (keys are stemmed words joined by spaces). */
export function containsKey(outer: string, inner: string): boolean {
  return outer !== inner && ` ${outer} `.includes(` ${inner} `);
}

/**
 * Some occurrence of `f` lies outside every occurrence of `other`. (Requiring that occurrence to be
 * a whole noun phrase, not part of a longer one, was tried: SemEval-2017 test F1@10 0.293 instead of
 * 0.311, library keywords 0.273 instead of 0.277.)
 */
function occursWithout(f: PhraseFeatures, other: PhraseFeatures): boolean {
  return f.ranges.some(([s, e]) => !other.ranges.some(([os, oe]) => os <= s && e <= oe));
}

/**
 * The top k, best first, without near-duplicates: stemmed duplicates are one key already; a phrase
 * that contains or is contained in a chosen one is skipped under 'drop', and under 'independent'
 * kept only if the shorter one also occurs on its own (a sub-phrase that appears only inside the
 * longer phrase has not earned a place of its own). Picks are greedy on score − redundancy × spread × (share of the
 * phrase's words already chosen), as in maximal marginal relevance.
 */
export function selectKeyphrases(
  features: readonly PhraseFeatures[],
  scores: ArrayLike<number>,
  k: number,
  containment: Containment,
  redundancy = 0,
): { feature: PhraseFeatures; score: number }[] {
  const order = features.map((_, i) => i).sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0) || features[a]!.start - features[b]!.start);
  const chosen: { feature: PhraseFeatures; score: number }[] = [];
  const shownWords = new Set<string>();
  const clashes = (f: PhraseFeatures): boolean =>
    containment !== 'keep' &&
    chosen.some(({ feature: c }) => {
      if (containsKey(c.key, f.key)) return containment === 'drop' || !occursWithout(f, c);
      if (containsKey(f.key, c.key)) return containment === 'drop' || !occursWithout(c, f);
      return false;
    });
  const remaining = [...order];
  const n = features.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += (scores[i] ?? 0) / n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += ((scores[i] ?? 0) - mean) ** 2 / n;
  const penalty = redundancy * Math.sqrt(variance);
  while (chosen.length < k && remaining.length > 0) {
    let best = -1;
    let bestValue = Number.NEGATIVE_INFINITY;
    for (let r = 0; r < remaining.length; r++) {
      const i = remaining[r]!;
      const base = scores[i] ?? 0;
      // Sorted by score: once the base score cannot beat the best penalised value, stop looking.
      if (base <= bestValue) break;
      const f = features[i]!;
      let value = base;
      if (penalty > 0 && shownWords.size > 0) {
        const words = f.key.split(' ');
        value -= (penalty * words.filter((w) => shownWords.has(w)).length) / words.length;
      }
      if (value > bestValue && !clashes(f)) {
        bestValue = value;
        best = r;
      }
    }
    if (best < 0) break;
    const i = remaining.splice(best, 1)[0]!;
    const f = features[i]!;
    // The value it was chosen at (after the redundancy penalty): never above an earlier pick's, so a
    // list shown best first reads in order.
    chosen.push({ feature: f, score: bestValue });
    for (const w of f.key.split(' ')) shownWords.add(w);
  }
  return chosen;
}

/**
 * Heat-map spans, one per term occurrence, in text order: words of the chosen phrases carry their
 * phrase's score; other nouns carry their own one-word score. Modifiers outside chosen phrases,
 * function words, adverbs, verbs and numbers get no span, so they are never tinted.
 */
export function heatSpans(
  terms: readonly (Term | null)[],
  classes: readonly TermClass[],
  features: readonly PhraseFeatures[],
  scores: ArrayLike<number>,
  chosen: readonly { feature: PhraseFeatures; score: number }[],
): KeywordSpanScore[] {
  const oneWord = new Map<string, number>();
  features.forEach((f, i) => {
    if (f.terms === 1) oneWord.set(f.key, scores[i] ?? 0);
  });
  const out: KeywordSpanScore[] = [];
  terms.forEach((t, i) => {
    if (!t || classes[i] === 'other') return;
    let score = classes[i] === 'noun' ? oneWord.get(t.key) : undefined;
    for (const { feature, score: s } of chosen) {
      if (feature.ranges.some(([a, b]) => a <= t.start && t.end <= b) && (score === undefined || s > score)) score = s;
    }
    if (score !== undefined) out.push({ text: t.text, start: t.start, end: t.end, score });
  });
  return out;
}

/** How many of the best phrases (before similarity) get an embedding: one small encoder batch. */
export const SIMILARITY_POOL = 24;

/** Indices of the phrases whose similarity is computed: the best by every other feature. */
export function similarityPool(features: readonly PhraseFeatures[], w: KeyphraseWeights, size = SIMILARITY_POOL): number[] {
  const without = { ...w, similarity: 0 };
  const pre = features.map((f) => keyphraseScore(f, without));
  return features
    .map((_, i) => i)
    .sort((a, b) => pre[b]! - pre[a]!)
    .slice(0, size);
}

/**
 * How many phrases (the best by every feature but surprise and similarity) the masked LM scores.
 * Masking every candidate costs ~15 model rows per abstract; a pool of 16 scores as well as one of
 * 24 or all of them (bench/keywordQuality.ts) at a fraction of the rows.
 */
export const MLM_POOL = 16;

/**
 * The candidate occurrences to mask: every occurrence of the pool's phrases (of at most
 * `maxMaskedTerms` terms) and the one-term candidates inside them (their words' own surprise).
 * `features` are computed without surprise (all NaN); phrases outside the pool later get the
 * median surprise of the pool.
 */
export function mlmCandidates(
  candidates: readonly Candidate[],
  features: readonly PhraseFeatures[],
  w: KeyphraseWeights,
  maxMaskedTerms: number,
  size = MLM_POOL,
): Set<number> {
  const statistics = { ...w, surprise: 0, similarity: 0 };
  const pool = new Set(
    features
      .map((f, i) => ({ key: f.key, score: keyphraseScore(f, statistics), i }))
      .sort((a, b) => b.score - a.score || a.i - b.i)
      .slice(0, size)
      .map((x) => x.key),
  );
  const pooled = candidates.filter((c) => pool.has(c.key));
  const out = new Set<number>();
  candidates.forEach((c, i) => {
    if (c.lastTerm - c.firstTerm >= maxMaskedTerms) return;
    if (pool.has(c.key) || (c.firstTerm === c.lastTerm && pooled.some((p) => p.firstTerm <= c.firstTerm && c.lastTerm <= p.lastTerm))) out.add(i);
  });
  return out;
}
