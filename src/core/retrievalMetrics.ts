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
