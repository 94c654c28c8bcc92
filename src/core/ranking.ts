/**
 * Rank fusion and re-ranking used by search and related work. Pure functions over ranked id lists,
 * so they are tested without a model or a database.
 */

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
