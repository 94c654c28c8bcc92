/**
 * Rank fusion and re-ranking used by search and related work. Pure functions over ranked id lists,
 * so they are tested without a model or a database.
 */
import type { MoreLikeThisLimits } from './moreLikeThis';

export interface Scored {
  id: string;
  score: number;
}

/** Reciprocal rank fusion (Cormack et al. 2009): robust to the different score scales of BM25 and cosine. */
export function reciprocalRankFusion(lists: readonly (readonly Scored[])[], k = 60, weights?: readonly number[]): Scored[] {
  const fused = new Map<string, number>();
  lists.forEach((list, li) => {
    const w = weights?.[li] ?? 1;
    list.forEach((hit, rank) => {
      fused.set(hit.id, (fused.get(hit.id) ?? 0) + w / (k + rank + 1));
    });
  });
  return [...fused.entries()].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score);
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] ?? 0) * (b[i] ?? 0);
  return s;
}

/**
 * Maximal marginal relevance: trades relevance for novelty so that related work does not list five
 * versions of one paper. `lambda` = 1 is plain relevance order. Vectors are L2-normalised.
 */
export function maximalMarginalRelevance<T extends Scored & { vector: ArrayLike<number> }>(
  candidates: readonly T[],
  k: number,
  lambda: number,
): T[] {
  const chosen: T[] = [];
  const rest = [...candidates];
  while (chosen.length < k && rest.length > 0) {
    let bestIndex = 0;
    let bestValue = -Infinity;
    rest.forEach((c, i) => {
      const redundancy = chosen.length === 0 ? 0 : Math.max(...chosen.map((s) => dot(s.vector, c.vector)));
      const value = lambda * c.score - (1 - lambda) * redundancy;
      if (value > bestValue) {
        bestValue = value;
        bestIndex = i;
      }
    });
    const [picked] = rest.splice(bestIndex, 1);
    if (picked) chosen.push(picked);
  }
  return chosen;
}

/** How a side's raw scores are put on [0, 1] before they are mixed. */
export type ScoreScale =
  /** score / the list's best score (BM25: the best lexical match is 1, half as good is 0.5). */
  | 'best'
  /** (score - worst) / (best - worst) over the list. */
  | 'minmax'
  /** The score itself clamped to [0, 1] (cosine similarity: already comparable across queries). */
  | 'unit';

export interface FusionSide {
  hits: readonly Scored[];
  scale: ScoreScale;
  /**
   * True when the list was cut at the depth asked for, so a paper missing from it may still score
   * up to the list's worst: it is given that worst (scaled). A list shorter than the depth holds
   * every match, so a missing paper scores 0.
   */
  truncated: boolean;
}

function unit(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}

/** A side's scores on [0, 1] and the score a paper it does not list gets. */
export function scaleSide(side: FusionSide): { scores: Map<string, number>; missing: number } {
  const raw = side.hits.map((h) => h.score);
  const best = raw.length ? Math.max(...raw) : 0;
  const worst = raw.length ? Math.min(...raw) : 0;
  const scale = (x: number): number => {
    if (side.scale === 'unit') return unit(x);
    if (side.scale === 'best') return best > 0 ? unit(x / best) : 0;
    return best > worst ? unit((x - worst) / (best - worst)) : raw.length ? 1 : 0;
  };
  const scores = new Map<string, number>();
  for (const h of side.hits) if (!scores.has(h.id)) scores.set(h.id, scale(h.score));
  // A list whose scores are all equal says nothing about what it left out.
  return { scores, missing: side.truncated && best > worst ? scale(worst) : 0 };
}

/**
 * Convex combination of a lexical and a semantic list, each put on [0, 1] first:
 * `w · lexical + (1 − w) · semantic`. Unlike reciprocal rank fusion it keeps how far apart the hits
 * of one side are (a strong BM25 match stays ahead of a weak vector neighbour), and the result is a
 * score on [0, 1] whose two ends mean the same thing in every mode: w = 1 is the full-text score,
 * w = 0 the vector score. Ties keep first-seen order (lexical list first).
 */
export function convexFusion(lexical: FusionSide, semantic: FusionSide, lexicalWeight: number): Scored[] {
  const w = unit(lexicalWeight);
  const lex = scaleSide(lexical);
  const sem = scaleSide(semantic);
  const ids = new Set<string>([...lexical.hits.map((h) => h.id), ...semantic.hits.map((h) => h.id)]);
  const fused: Scored[] = [];
  for (const id of ids) {
    const l = lex.scores.get(id) ?? lex.missing;
    const s = sem.scores.get(id) ?? sem.missing;
    fused.push({ id, score: unit(w * l + (1 - w) * s) });
  }
  return fused.sort((a, b) => b.score - a.score);
}

/** Words of a query as the full-text index splits them (letters and digits). */
export function queryWordCount(query: string): number {
  return query.match(/[\p{L}\p{N}]+/gu)?.length ?? 0;
}

/** The lexical weight for queries of up to `maxWords` words; the first entry that fits applies. */
export interface LexicalWeightRule {
  maxWords: number;
  lexicalWeight: number;
}

export function lexicalWeightFor(query: string, rules: readonly LexicalWeightRule[]): number {
  const words = queryWordCount(query);
  for (const r of rules) if (words <= r.maxWords) return r.lexicalWeight;
  return rules[rules.length - 1]?.lexicalWeight ?? 0.5;
}

/** Each side of a fusion contributes this many candidates. */
export const FUSION_DEPTH = 50;

/**
 * Lexical weight of the shipped hybrid search by query length, chosen on the dev sets' tune split
 * (`npm run eval`; the table and the reasoning are in the README).
 */
export const SEARCH_LEXICAL_WEIGHTS: readonly LexicalWeightRule[] = [
  { maxWords: 2, lexicalWeight: 0.45 },
  { maxWords: 5, lexicalWeight: 0.5 },
  { maxWords: Infinity, lexicalWeight: 0.4 },
];

/**
 * What `--mode hybrid` ranks by: BM25 and cosine, each min-max scaled over the query's candidates,
 * mixed with a weight set by the query's length. `semantic` should hold the cosine of every lexical
 * candidate too (the engine looks up the vectors the vector search did not return): a paper the full
 * text finds is then judged by its real similarity, not by a guess.
 */
export function hybridRanking(query: string, lexical: readonly Scored[], semantic: readonly Scored[], depth = FUSION_DEPTH): Scored[] {
  return convexFusion(
    { hits: lexical, scale: 'minmax', truncated: lexical.length >= depth },
    { hits: semantic, scale: 'minmax', truncated: true },
    lexicalWeightFor(query, SEARCH_LEXICAL_WEIGHTS),
  );
}

/** What fts and vector modes show: one side alone, scaled as hybrid scales it. */
export function singleSideRanking(hits: readonly Scored[]): Scored[] {
  const { scores } = scaleSide({ hits, scale: 'minmax', truncated: true });
  return hits.map((h) => ({ id: h.id, score: scores.get(h.id) ?? 0 }));
}

/**
 * The more-like-this query of related work: the paper's words found in at most 5% of the library,
 * best tf·idf first, at most 32 (the whole text asked for every posting list of "model", "results";
 * 64 words cost p95 79 ms at 75k papers, 24 words 17 ms). Words the statistics have not seen are kept
 * (minDocumentFrequency 0): they are counted on a sample.
 */
export const RELATED_MORE_LIKE_THIS: MoreLikeThisLimits = { maxTerms: 32, maxDocumentShare: 0.05, minDocumentFrequency: 0 };
/** Word statistics are counted on the first this many papers: enough to tell common words from rare ones. */
export const TERM_STATISTICS_SAMPLE = 5000;
/**
 * Chosen on the dev set's tune split (category P@10, `npm run eval`, encoder of 2026-12-02) for the
 * bounded more-like-this fused with the vector neighbours plus the exact cosine of every
 * more-like-this hit they lack. 0.20 since the combined encoder (transformer + static vectors), whose
 * neighbours are better on their own; 0.35 with the transformer alone.
 */
export const RELATED_LEXICAL_WEIGHT = 0.2;

/**
 * Related work: a paper's vector neighbours (with the exact cosine of the more-like-this hits they
 * lack: SearchService.withCosines) and its more-like-this hits, mixed on their natural scales (cosine
 * clamped to [0, 1], BM25 over the best BM25), so the score shown is on [0, 1].
 */
export function relatedRanking(lexical: readonly Scored[], semantic: readonly Scored[], depth = FUSION_DEPTH): Scored[] {
  return convexFusion({ hits: lexical, scale: 'best', truncated: lexical.length >= depth }, { hits: semantic, scale: 'unit', truncated: semantic.length >= depth }, RELATED_LEXICAL_WEIGHT);
}
