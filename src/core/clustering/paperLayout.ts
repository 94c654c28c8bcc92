/**
 * 2-D positions for the topic map. Under `pcaBelow` papers, PCA: UMAP needs more points than
 * neighbours and says little about 20 papers. Up to `umapSample` papers, UMAP (umap-js) on exact
 * cosine k-nearest neighbours. Above it, UMAP runs on a cluster-stratified sample and every other
 * paper is placed at the similarity-weighted mean of its nearest sampled neighbours in its own
 * cluster (plus a little jitter so duplicates do not stack) — O(n · sample/k) instead of UMAP's
 * cost on all n, which is what keeps 75k papers well under two minutes on two cores.
 *
 * umap-js starts from random positions; we overwrite that start with the PCA layout (scaled to
 * umap-js's ±10 box) because a PCA start keeps the global arrangement of topics and lets fewer
 * epochs converge. Everything random comes from one seeded PRNG, so a seed fixes the layout.
 */
import { UMAP } from 'umap-js';
import { type DenseRows, dotAt, normaliseRows, packRows, selectRows, topKSimilar } from './denseRows';
import { type RandomFn, seededRandom } from './seededRandom';

export interface LayoutOptions {
  seed?: number;
  /** Use PCA below this many papers (default 30). */
  pcaBelow?: number;
  /** Run UMAP on at most this many papers; place the rest by neighbours (default 5,000). */
  umapSample?: number;
  /** UMAP neighbours (default 15). */
  nNeighbors?: number;
  /** UMAP epochs (default 200). */
  epochs?: number;
  /** UMAP min_dist (default 0.1). */
  minDist?: number;
  /** Neighbours used to place a paper outside the UMAP sample (default 8). */
  placementNeighbours?: number;
}

export type LayoutMethod = 'pca' | 'umap' | 'umap+placement';

export interface PaperLayout {
  /** Coordinates in [-1, 1]. */
  x: Float64Array;
  y: Float64Array;
  method: LayoutMethod;
}

export function layoutPapers(vectors: readonly Float32Array[] | DenseRows, clusterOf?: ArrayLike<number>, options: LayoutOptions = {}): PaperLayout {
  const m = Array.isArray(vectors) ? packRows(vectors) : (vectors as DenseRows);
  const n = m.rows;
  const seed = options.seed ?? 42;
  const nNeighbors = options.nNeighbors ?? 15;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  if (n === 0) return { x, y, method: 'pca' };
  if (n < Math.max(options.pcaBelow ?? 30, nNeighbors + 2)) {
    const p = pca2d(m, seed);
    x.set(p.x);
    y.set(p.y);
    normaliseToUnitSquare(x, y);
    return { x, y, method: 'pca' };
  }
  const random = seededRandom(seed);
  const limit = options.umapSample ?? 5000;
  const sampled = n <= limit ? Array.from({ length: n }, (_, i) => i) : stratifiedSample(n, limit, clusterOf, random);
  const sample = n <= limit ? m : selectRows(m, sampled);
  const sampleClusters = clusterOf ? Int32Array.from(sampled, (r) => clusterOf[r] as number) : undefined;
  const embedded = umap2d(sample, sampleClusters, { seed, nNeighbors, epochs: options.epochs ?? 200, minDist: options.minDist ?? 0.1, random });
  sampled.forEach((row, i) => {
    x[row] = embedded.x[i] as number;
    y[row] = embedded.y[i] as number;
  });
  if (sampled.length === n) {
    normaliseToUnitSquare(x, y);
    return { x, y, method: 'umap' };
  }

  // Candidates per cluster: the sampled members of that cluster (all of the sample when unclustered).
  const inSample = new Uint8Array(n);
  for (const r of sampled) inSample[r] = 1;
  const byCluster = new Map<number, number[]>();
  for (const r of sampled) {
    const c = clusterOf ? (clusterOf[r] as number) : 0;
    let list = byCluster.get(c);
    if (!list) byCluster.set(c, (list = []));
    list.push(r);
  }
  const spread = extent(embedded.x, embedded.y);
  const k = options.placementNeighbours ?? 8;
  for (let r = 0; r < n; r++) {
    if (inSample[r]) continue;
    const own = byCluster.get(clusterOf ? (clusterOf[r] as number) : 0);
    const candidates = own && own.length > 0 ? own : sampled;
    const p = placeByNeighbours(m, r, candidates, x, y, k, random, spread * 0.004);
    x[r] = p[0];
    y[r] = p[1];
  }
  normaliseToUnitSquare(x, y);
  return { x, y, method: 'umap+placement' };
}

/**
 * Position of row `row` from its `k` most similar candidates: a weighted mean of their positions,
 * weights exp((sim − best)/0.05) so the closest neighbours dominate, plus uniform jitter of ±`jitter`.
 */
export function placeByNeighbours(
  m: DenseRows,
  row: number,
  candidates: ArrayLike<number>,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  k: number,
  random: RandomFn,
  jitter: number,
): [number, number] {
  const { index, sim } = topKSimilar(m, m.data, row * m.dim, candidates, k, row);
  if (index.length === 0) return [(random() - 0.5) * jitter, (random() - 0.5) * jitter];
  const top = sim[0] as number;
  let wx = 0;
  let wy = 0;
  let wsum = 0;
  index.forEach((r, i) => {
    const w = Math.exp(((sim[i] as number) - top) / 0.05);
    wx += w * (x[r] as number);
    wy += w * (y[r] as number);
    wsum += w;
  });
  return [wx / wsum + (random() * 2 - 1) * jitter, wy / wsum + (random() * 2 - 1) * jitter];
}

/** Every cluster keeps at least a few members in the sample, so every paper has in-cluster anchors. */
function stratifiedSample(n: number, limit: number, clusterOf: ArrayLike<number> | undefined, random: RandomFn): number[] {
  const groups = new Map<number, number[]>();
  for (let r = 0; r < n; r++) {
    const c = clusterOf ? (clusterOf[r] as number) : 0;
    let g = groups.get(c);
    if (!g) groups.set(c, (g = []));
    g.push(r);
  }
  const out: number[] = [];
  for (const [, members] of [...groups].sort((p, q) => p[0] - q[0])) {
    const want = Math.min(members.length, Math.max(5, Math.round((members.length * limit) / n)));
    for (let i = 0; i < want; i++) {
      const j = i + Math.floor(random() * (members.length - i));
      const t = members[i] as number;
      members[i] = members[j] as number;
      members[j] = t;
    }
    out.push(...members.slice(0, want));
  }
  return out.sort((p, q) => p - q);
}

interface UmapRun {
  seed: number;
  nNeighbors: number;
  epochs: number;
  minDist: number;
  random: RandomFn;
}

function umap2d(m: DenseRows, clusters: Int32Array | undefined, run: UmapRun): { x: Float64Array; y: Float64Array } {
  const n = m.rows;
  const nNeighbors = Math.min(run.nNeighbors, n - 1);
  const knnIndices: number[][] = [];
  const knnDistances: number[][] = [];
  const candidatesOf = neighbourCandidates(m, clusters);
  const allRows = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < n; i++) {
    // umap-js expects each point to be its own first neighbour at distance 0, as its NN-descent returns.
    let { index, sim } = topKSimilar(m, m.data, i * m.dim, candidatesOf(i), nNeighbors - 1, i);
    // umap-js needs the same number of neighbours for every point: widen the search if a cluster is tiny.
    if (index.length < nNeighbors - 1) ({ index, sim } = topKSimilar(m, m.data, i * m.dim, allRows, nNeighbors - 1, i));
    knnIndices.push([i, ...index]);
    knnDistances.push([0, ...sim.map((s) => Math.max(0, 1 - s))]);
  }
  const umap = new UMAP({ nComponents: 2, nNeighbors, minDist: run.minDist, nEpochs: run.epochs, random: run.random });
  umap.setPrecomputedKNN(knnIndices, knnDistances);
  // initializeFit only needs one row per point here: the neighbours are already known.
  const rows: number[][] = Array.from({ length: n }, () => [0]);
  const epochs = umap.initializeFit(rows);
  const start = pca2d(m, run.seed);
  const scale = 10 / Math.max(1e-12, extent(start.x, start.y));
  const embedding = umap.getEmbedding();
  embedding.forEach((p, i) => {
    p[0] = (start.x[i] as number) * scale;
    p[1] = (start.y[i] as number) * scale;
  });
  for (let e = 0; e < epochs; e++) umap.step();
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  umap.getEmbedding().forEach((p, i) => {
    x[i] = p[0] ?? 0;
    y[i] = p[1] ?? 0;
  });
  return { x, y };
}

/**
 * Where to look for a point's nearest neighbours. Exact search over the whole sample is O(s²·dim)
 * (seconds at 5k); with clusters, a point only looks at members of the `near` clusters whose
 * centroids are closest to its own cluster's — its true neighbours are almost always there.
 */
function neighbourCandidates(m: DenseRows, clusters: Int32Array | undefined, near = 3): (row: number) => ArrayLike<number> {
  const all = Int32Array.from({ length: m.rows }, (_, i) => i);
  if (!clusters || m.rows < 1500) return () => all;
  const ids = [...new Set(clusters)].sort((a, b) => a - b);
  if (ids.length <= near) return () => all;
  const slot = new Map(ids.map((c, i) => [c, i]));
  const cent = new Float32Array(ids.length * m.dim);
  const members: number[][] = ids.map(() => []);
  clusters.forEach((c, r) => {
    const j = slot.get(c) as number;
    members[j]?.push(r);
    for (let d = 0; d < m.dim; d++) cent[j * m.dim + d] = (cent[j * m.dim + d] as number) + (m.data[r * m.dim + d] as number);
  });
  normaliseRows(cent, ids.length, m.dim);
  const lists = ids.map((_, j) => {
    const order = ids.map((__, q) => ({ q, s: dotAt(cent, j * m.dim, cent, q * m.dim, m.dim) })).sort((a, b) => b.s - a.s || a.q - b.q);
    return Int32Array.from(order.slice(0, near).flatMap((o) => members[o.q] ?? []));
  });
  return (row) => lists[slot.get(clusters[row] as number) as number] ?? all;
}

function extent(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i] as number), Math.abs(y[i] as number));
  return max;
}

/** First two principal components (power iteration on the d×d covariance, deflated). */
export function pca2d(m: DenseRows, seed = 42): { x: Float64Array; y: Float64Array } {
  const { data, rows: n, dim } = m;
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) mean[d] = (mean[d] as number) + (data[i * dim + d] as number) / n;
  const cov = new Float64Array(dim * dim);
  const centred = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dim; d++) centred[d] = (data[i * dim + d] as number) - (mean[d] as number);
    for (let a = 0; a < dim; a++) {
      const ca = centred[a] as number;
      if (ca === 0) continue;
      const o = a * dim;
      for (let b = a; b < dim; b++) cov[o + b] = (cov[o + b] as number) + ca * (centred[b] as number);
    }
  }
  for (let a = 0; a < dim; a++) for (let b = 0; b < a; b++) cov[a * dim + b] = cov[b * dim + a] as number;
  const random = seededRandom(seed ^ 0x9ca);
  const components: Float64Array[] = [];
  for (let c = 0; c < 2; c++) {
    let v = Float64Array.from({ length: dim }, () => random() - 0.5);
    for (let it = 0; it < 100; it++) {
      const next = new Float64Array(dim);
      for (let a = 0; a < dim; a++) {
        let s = 0;
        const o = a * dim;
        for (let b = 0; b < dim; b++) s += (cov[o + b] as number) * (v[b] as number);
        next[a] = s;
      }
      for (const prev of components) {
        let p = 0;
        for (let d = 0; d < dim; d++) p += (next[d] as number) * (prev[d] as number);
        for (let d = 0; d < dim; d++) next[d] = (next[d] as number) - p * (prev[d] as number);
      }
      const norm = Math.hypot(...next);
      if (norm < 1e-12) break;
      for (let d = 0; d < dim; d++) next[d] = (next[d] as number) / norm;
      v = next;
    }
    // Fix the sign (an eigenvector's sign is arbitrary) so the picture does not flip between runs.
    let big = 0;
    for (let d = 0; d < dim; d++) if (Math.abs(v[d] as number) > Math.abs(v[big] as number)) big = d;
    if ((v[big] as number) < 0) for (let d = 0; d < dim; d++) v[d] = -(v[d] as number);
    components.push(v);
  }
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const [c0, c1] = components as [Float64Array, Float64Array];
  for (let i = 0; i < n; i++) {
    let px = 0;
    let py = 0;
    for (let d = 0; d < dim; d++) {
      const v = (data[i * dim + d] as number) - (mean[d] as number);
      px += v * (c0[d] as number);
      py += v * (c1[d] as number);
    }
    x[i] = px;
    y[i] = py;
  }
  return { x, y };
}

/**
 * Centres and scales both axes by the same factor (so shapes keep their aspect) into [-1, 1]. With
 * 100+ points the 0.5th/99.5th percentiles set the box, so one outlier cannot squash the whole map
 * into a dot; the few points beyond are clamped to the edge.
 */
export function normaliseToUnitSquare(x: Float64Array, y: Float64Array): void {
  const n = x.length;
  if (n === 0) return;
  const bounds = (v: Float64Array): [number, number] => {
    if (n < 100) {
      let lo = Infinity;
      let hi = -Infinity;
      for (const t of v) {
        lo = Math.min(lo, t);
        hi = Math.max(hi, t);
      }
      return [lo, hi];
    }
    const sorted = Float64Array.from(v).sort();
    return [sorted[Math.floor(0.005 * (n - 1))] as number, sorted[Math.ceil(0.995 * (n - 1))] as number];
  };
  const [x0, x1] = bounds(x);
  const [y0, y1] = bounds(y);
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const half = Math.max(x1 - x0, y1 - y0) / 2;
  const scale = half > 1e-12 ? 1 / half : 0;
  for (let i = 0; i < n; i++) {
    x[i] = clampUnit(((x[i] as number) - cx) * scale);
    y[i] = clampUnit(((y[i] as number) - cy) * scale);
  }
}

function clampUnit(v: number): number {
  return v < -1 ? -1 : v > 1 ? 1 : v;
}
