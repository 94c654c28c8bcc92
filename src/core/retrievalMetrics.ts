/**
 * Retrieval metrics for the dev evaluation (pure, so they are unit tested on hand-made rankings).
 */

/** Reciprocal rank of `relevant` in `ranked` within the first k, 0 when absent. */
export function reciprocalRankAt(ranked: readonly string[], relevant: string, k: number): number {
  const i = ranked.slice(0, k).indexOf(relevant);
  return i < 0 ? 0 : 1 / (i + 1);
}

export function hitAt(ranked: readonly string[], relevant: string, k: number): number {
  return ranked.slice(0, k).includes(relevant) ? 1 : 0;
}

/** Share of the first k neighbours for which `same(neighbour)` holds (k fixed as denominator). */
export function precisionAt(ranked: readonly string[], same: (id: string) => boolean, k: number): number {
  return ranked.slice(0, k).filter(same).length / k;
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * nDCG@k with graded gains (`gains[id]`, absent = 0): DCG of the ranking over the DCG of the ideal
 * ordering of every graded paper, with gain 2^g − 1 and log2(rank + 1) discount. 0 when nothing is relevant.
 */
export function ndcgAt(ranked: readonly string[], gains: Readonly<Record<string, number>>, k: number): number {
  const dcg = (gs: readonly number[]): number => gs.slice(0, k).reduce((s, g, i) => s + (2 ** g - 1) / Math.log2(i + 2), 0);
  const ideal = dcg(
    Object.values(gains)
      .filter((g) => g > 0)
      .sort((a, b) => b - a),
  );
  return ideal > 0 ? dcg(ranked.map((id) => gains[id] ?? 0)) / ideal : 0;
}
