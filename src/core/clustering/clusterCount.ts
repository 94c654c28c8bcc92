/**
 * Choosing k when the user says "auto". Two rules, compared in bench/clusterQuality.ts:
 *  - 'sqrt': k ≈ √(n/2), clamped — the classic rule of thumb; free to compute.
 *  - 'silhouette': k-means on a sample for each k on a geometric grid, keep the k with the best mean
 *    silhouette (cosine distance). The sample's distance matrix is computed once and shared by
 *    every k, so the search costs a few seconds whatever n is.
 * 'sqrt' is the default: on text vectors the silhouette keeps rising with k, so its pick is mostly
 * the top of the grid, at no gain in AMI (see the bench); on well-separated data it finds the true k.
 */
import { type DenseRows, dotAt, packRows, selectRows } from './denseRows';
import { sphericalKMeans } from './sphericalKMeans';
import { sampleIndices, seededRandom } from './seededRandom';

export type ClusterCountRule = 'sqrt' | 'silhouette';

export interface ClusterCountOptions {
  /** Default 'sqrt'. */
  rule?: ClusterCountRule;
  seed?: number;
  /** Smallest and largest k considered (defaults 2 and 60: more topics than that do not read on a map). */
  minK?: number;
  maxK?: number;
  /** Vectors used by the silhouette search (default 1,500). */
  sampleSize?: number;
}

export interface ClusterCountChoice {
  k: number;
  rule: ClusterCountRule;
  /** Silhouette per k tried ('silhouette' rule only). */
  scores: Array<{ k: number; silhouette: number }>;
}

export function sqrtRuleK(n: number, minK = 2, maxK = 60): number {
  return clamp(Math.round(Math.sqrt(n / 2)), minK, maxK, n);
}

function clamp(k: number, minK: number, maxK: number, n: number): number {
  return Math.max(1, Math.min(n, Math.max(minK, Math.min(maxK, k))));
}

/** Geometric grid of candidate k (about 25% apart), so the search scales with log(maxK). */
export function clusterCountGrid(minK: number, maxK: number): number[] {
  const grid = new Set<number>();
  for (let k = minK; k <= maxK; k = Math.max(k + 1, Math.round(k * 1.25))) grid.add(k);
  grid.add(maxK);
  return [...grid].filter((k) => k >= minK && k <= maxK).sort((p, q) => p - q);
}

export function chooseClusterCount(vectors: readonly Float32Array[] | DenseRows, options: ClusterCountOptions = {}): ClusterCountChoice {
  const x = 'data' in vectors && !Array.isArray(vectors) ? (vectors as DenseRows) : packRows(vectors as readonly Float32Array[]);
  const n = x.rows;
  const rule = options.rule ?? 'sqrt';
  const minK = options.minK ?? 2;
  const maxK = options.maxK ?? 60;
  if (n < 3) return { k: Math.max(1, n), rule, scores: [] };
  if (rule === 'sqrt') return { k: sqrtRuleK(n, minK, maxK), rule, scores: [] };

  const seed = options.seed ?? 42;
  const sample = selectRows(x, sampleIndices(n, options.sampleSize ?? 1500, seededRandom(seed ^ 0x5eed)));
  const s = sample.rows;
  // At least ~8 members per cluster on average, or silhouettes of tiny clusters dominate.
  const upper = clamp(Math.min(maxK, Math.floor(s / 8)), minK, maxK, s);
  const lower = Math.min(minK, upper);
  const distances = cosineDistanceMatrix(sample);
  const scores: Array<{ k: number; silhouette: number }> = [];
  for (const k of clusterCountGrid(lower, upper)) {
    const { assignments } = sphericalKMeans(sample, k, { seed, maxIterations: 25 });
    scores.push({ k, silhouette: meanSilhouette(distances, s, assignments, k) });
  }
  let best = scores[0] ?? { k: lower, silhouette: 0 };
  for (const score of scores) if (score.silhouette > best.silhouette + 1e-9) best = score;
  return { k: clamp(best.k, minK, maxK, n), rule, scores };
}

function cosineDistanceMatrix(m: DenseRows): Float32Array {
  const { data, rows, dim } = m;
  const out = new Float32Array(rows * rows);
  for (let i = 0; i < rows; i++) {
    for (let j = i + 1; j < rows; j++) {
      const dist = 1 - dotAt(data, i * dim, data, j * dim, dim);
      out[i * rows + j] = dist;
      out[j * rows + i] = dist;
    }
  }
  return out;
}

/** Mean silhouette (Rousseeuw 1987); a point alone in its cluster scores 0. */
export function meanSilhouette(distances: Float32Array, n: number, assignments: ArrayLike<number>, k: number): number {
  const sizes = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    const c = assignments[i] as number;
    sizes[c] = (sizes[c] as number) + 1;
  }
  const sums = new Float64Array(k);
  let total = 0;
  for (let i = 0; i < n; i++) {
    sums.fill(0);
    const row = i * n;
    for (let j = 0; j < n; j++) {
      const c = assignments[j] as number;
      sums[c] = (sums[c] as number) + (distances[row + j] as number);
    }
    const own = assignments[i] as number;
    const ownSize = sizes[own] as number;
    if (ownSize <= 1) continue;
    const a = (sums[own] as number) / (ownSize - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && (sizes[c] as number) > 0) b = Math.min(b, (sums[c] as number) / (sizes[c] as number));
    if (!Number.isFinite(b)) continue;
    const denom = Math.max(a, b);
    total += denom > 0 ? (b - a) / denom : 0;
  }
  return total / n;
}
