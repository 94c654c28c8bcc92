/**
 * Spherical k-means: the vectors are L2-normalised, so "nearest centroid" is "largest dot product"
 * and a centroid is the normalised mean of its members. k-means++ seeding on a bounded sample keeps
 * the start good without an O(n·k) pass per seed at 75k papers; above `miniBatchAbove` papers the
 * Lloyd passes are replaced by mini-batch updates (Sculley 2010) followed by a couple of full
 * passes, so the final assignment is still exact with respect to the final centroids.
 */
import { type DenseRows, dotAt, normaliseRows, packRows, selectRows } from './denseRows';
import { type RandomFn, sampleIndices, seededRandom } from './seededRandom';

export interface KMeansOptions {
  seed?: number;
  /** Lloyd iterations at most (default 30). */
  maxIterations?: number;
  /** Use mini-batch k-means above this many vectors (default 8,000). */
  miniBatchAbove?: number;
  /** Mini-batch size (default 2,048). */
  batchSize?: number;
  /** k-means++ seeds are drawn from at most this many vectors (default 10,000). */
  initSample?: number;
}

export interface KMeansResult {
  k: number;
  /** Cluster index per input vector. */
  assignments: Int32Array;
  /** Unit-length centroids, k × dim, row-major. */
  centroids: DenseRows;
  /** Mean cosine similarity of each vector to its centroid (higher = tighter). */
  cohesion: number;
  iterations: number;
}

export function sphericalKMeans(vectors: readonly Float32Array[] | DenseRows, k: number, options: KMeansOptions = {}): KMeansResult {
  const x = isDense(vectors) ? vectors : packRows(vectors);
  const n = x.rows;
  if (n === 0) return { k: 0, assignments: new Int32Array(0), centroids: { data: new Float32Array(0), rows: 0, dim: x.dim }, cohesion: 1, iterations: 0 };
  const kk = Math.max(1, Math.min(Math.floor(k), n));
  const random = seededRandom(options.seed ?? 42);
  const centroids = kMeansPlusPlus(x, kk, Math.min(n, options.initSample ?? 10_000), random);
  const assignments = new Int32Array(n).fill(-1);
  const best = new Float32Array(n);
  let iterations = 0;
  if (n > (options.miniBatchAbove ?? 8000)) {
    iterations += miniBatch(x, centroids, options.batchSize ?? 2048, random);
    for (let pass = 0; pass < 2; pass++) {
      assign(x, centroids, assignments, best);
      updateCentroids(x, centroids, assignments, best);
      iterations++;
    }
  } else {
    const maxIterations = options.maxIterations ?? 30;
    // Stop when under 0.5% of the papers move: the last few flips do not change any topic.
    const settled = Math.floor(n / 200);
    for (; iterations < maxIterations; ) {
      const changed = assign(x, centroids, assignments, best);
      iterations++;
      if (changed <= settled) break;
      updateCentroids(x, centroids, assignments, best);
    }
  }
  assign(x, centroids, assignments, best);
  let total = 0;
  for (let i = 0; i < n; i++) total += best[i] as number;
  return { k: kk, assignments, centroids, cohesion: total / n, iterations };
}

function isDense(v: readonly Float32Array[] | DenseRows): v is DenseRows {
  return !Array.isArray(v) && (v as DenseRows).data instanceof Float32Array;
}

/** Index and similarity of the centroid nearest to row `r` of `data`. */
export function nearestCentroid(centroids: DenseRows, data: Float32Array, offset: number): { index: number; similarity: number } {
  const { dim, rows } = centroids;
  const c = centroids.data;
  let bestIndex = 0;
  let bestSim = -Infinity;
  for (let j = 0; j < rows; j++) {
    const s = dotAt(data, offset, c, j * dim, dim);
    if (s > bestSim) {
      bestSim = s;
      bestIndex = j;
    }
  }
  return { index: bestIndex, similarity: bestSim };
}

/**
 * Greedy k-means++ (as scikit-learn does): each step draws 2 + ln k candidates by D² sampling with
 * squared chordal distance 2 − 2·cos and keeps the one that lowers the potential most. Plain
 * k-means++ too often drops two seeds into one blob and never recovers.
 */
function kMeansPlusPlus(x: DenseRows, k: number, sampleSize: number, random: RandomFn): DenseRows {
  const sample = selectRows(x, sampleIndices(x.rows, sampleSize, random));
  const { data, rows, dim } = sample;
  const out = new Float32Array(k * dim);
  const dist = new Float64Array(rows);
  const trial = new Float64Array(rows);
  const bestTrial = new Float64Array(rows);
  const first = Math.floor(random() * rows);
  out.set(data.subarray(first * dim, (first + 1) * dim), 0);
  let potential = 0;
  for (let i = 0; i < rows; i++) {
    dist[i] = Math.max(0, 2 - 2 * dotAt(data, i * dim, data, first * dim, dim));
    potential += dist[i] as number;
  }
  const tries = 2 + Math.floor(Math.log(k));
  for (let c = 1; c < k; c++) {
    let bestPick = -1;
    let bestPotential = Infinity;
    for (let t = 0; t < tries; t++) {
      // All remaining points coincide with a centroid: any pick will do (duplicates are re-seeded later).
      let pick = rows - 1;
      let target = random() * potential;
      for (let i = 0; i < rows; i++) {
        target -= dist[i] as number;
        if (target <= 0) {
          pick = i;
          break;
        }
      }
      let total = 0;
      for (let i = 0; i < rows; i++) {
        const d2 = Math.max(0, 2 - 2 * dotAt(data, i * dim, data, pick * dim, dim));
        const m = Math.min(d2, dist[i] as number);
        trial[i] = m;
        total += m;
      }
      if (total < bestPotential) {
        bestPotential = total;
        bestPick = pick;
        bestTrial.set(trial);
      }
    }
    out.set(data.subarray(bestPick * dim, (bestPick + 1) * dim), c * dim);
    dist.set(bestTrial);
    potential = bestPotential;
  }
  return { data: out, rows: k, dim };
}

/** Assigns every row to its nearest centroid; returns how many assignments changed. */
function assign(x: DenseRows, centroids: DenseRows, assignments: Int32Array, best: Float32Array): number {
  let changed = 0;
  for (let i = 0; i < x.rows; i++) {
    const { index, similarity } = nearestCentroid(centroids, x.data, i * x.dim);
    if (assignments[i] !== index) changed++;
    assignments[i] = index;
    best[i] = similarity;
  }
  return changed;
}

/**
 * Centroid = normalised member sum. An empty cluster is re-seeded with the worst-fitting vector
 * (lowest similarity to its centroid), the usual fix that keeps k clusters alive.
 */
function updateCentroids(x: DenseRows, centroids: DenseRows, assignments: Int32Array, best: Float32Array): void {
  const { dim } = x;
  const k = centroids.rows;
  const sums = new Float32Array(k * dim);
  const counts = new Int32Array(k);
  for (let i = 0; i < x.rows; i++) {
    const c = assignments[i] as number;
    counts[c] = (counts[c] as number) + 1;
    const io = i * dim;
    const co = c * dim;
    for (let d = 0; d < dim; d++) sums[co + d] = (sums[co + d] as number) + (x.data[io + d] as number);
  }
  const taken = new Set<number>();
  for (let c = 0; c < k; c++) {
    if ((counts[c] as number) > 0) continue;
    let worst = -1;
    let worstSim = Infinity;
    for (let i = 0; i < x.rows; i++) {
      if (!taken.has(i) && (best[i] as number) < worstSim) {
        worstSim = best[i] as number;
        worst = i;
      }
    }
    if (worst < 0) continue;
    taken.add(worst);
    sums.set(x.data.subarray(worst * dim, (worst + 1) * dim), c * dim);
  }
  normaliseRows(sums, k, dim);
  centroids.data.set(sums);
}

/** Mini-batch updates with per-centroid learning rate 1/count; returns the number of batches run. */
function miniBatch(x: DenseRows, centroids: DenseRows, batchSize: number, random: RandomFn): number {
  const { dim } = x;
  const k = centroids.rows;
  const c = centroids.data;
  const counts = new Float64Array(k);
  // About three passes over the data, bounded so 75k papers stay within a few seconds.
  const batches = Math.max(20, Math.min(120, Math.ceil((3 * x.rows) / batchSize)));
  const batchAssign = new Int32Array(batchSize);
  const batchRows = new Int32Array(batchSize);
  for (let b = 0; b < batches; b++) {
    for (let i = 0; i < batchSize; i++) {
      const r = Math.floor(random() * x.rows);
      batchRows[i] = r;
      batchAssign[i] = nearestCentroid(centroids, x.data, r * dim).index;
    }
    for (let i = 0; i < batchSize; i++) {
      const j = batchAssign[i] as number;
      const r = batchRows[i] as number;
      counts[j] = (counts[j] as number) + 1;
      const eta = 1 / (counts[j] as number);
      const co = j * dim;
      const ro = r * dim;
      for (let d = 0; d < dim; d++) c[co + d] = (1 - eta) * (c[co + d] as number) + eta * (x.data[ro + d] as number);
    }
    normaliseRows(c, k, dim);
  }
  return batches;
}
