/**
 * Topic-cluster quality and speed (not a test; prints tables). Run: node scripts/build.mjs &&
 * node dist-test/bench/clusterQuality.js [--skip-75k] [--quality-only] [--seeds N]
 *
 * Quality: 5,000 arXiv listings held out from encoder training (listed ≥ 2026-06-01, first 5,000 in
 * file order), gold label = primary category. NMI/AMI of
 *   (a) our spherical k-means on the paper vectors, k by each "auto" rule and a few fixed k;
 *   (b) a baseline: spherical k-means on sparse, L2-normalised TF-IDF with the same k.
 * Paper vectors come from the bundled encoder when models/atlas-mini-encoder/onnx exists, otherwise
 * from LSA (TF-IDF projected on its top 128 singular directions) as a stand-in, which is said so.
 * Speed: clustering, labels and layout at 10k and ~75k papers (LSA vectors, 128 dims, of the first
 * listings in the file: what is timed is the clustering, not the encoder).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { performance } from 'node:perf_hooks';
import { adjustedMutualInformation, normalizedMutualInformation } from '../src/core/clustering/clusterAgreement';
import { chooseClusterCount, type ClusterCountRule } from '../src/core/clustering/clusterCount';
import { clusterLabels, textPhrases } from '../src/core/clustering/clusterLabels';
import { type DenseRows, normaliseRows, packRows, topKSimilar } from '../src/core/clustering/denseRows';
import { updateLayout } from '../src/core/clustering/incrementalLayout';
import { layoutPapers, pca2d } from '../src/core/clustering/paperLayout';
import { sampleIndices, seededRandom } from '../src/core/clustering/seededRandom';
import { sphericalKMeans } from '../src/core/clustering/sphericalKMeans';
import { printTable } from './printTable';

interface Listing {
  id: string;
  title: string;
  abstract: string;
  categories: string[];
  listed: string;
}

const repo = path.resolve(__dirname, '..', '..');
const dataFile = path.resolve(repo, '..', 'shared', 'data', 'arxiv', 'arxiv-listings.jsonl.gz');
const args = process.argv.slice(2);
const seeds = Number(args[args.indexOf('--seeds') + 1]) > 0 && args.includes('--seeds') ? Number(args[args.indexOf('--seeds') + 1]) : 3;

function time<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const out = f();
  return [out, (performance.now() - t0) / 1000];
}

// --- sparse TF-IDF -------------------------------------------------------------------------------

interface SparseRows {
  rows: Array<{ idx: Int32Array; val: Float32Array }>;
  vocab: number;
}

/** Unigram TF-IDF (sublinear tf, smooth idf, min df 2), rows L2-normalised — the usual baseline. */
function tfidf(texts: readonly string[]): SparseRows {
  const docs = texts.map((t) => textPhrases(t).filter((p) => !p.includes(' ')));
  const df = new Map<string, number>();
  for (const d of docs) for (const w of new Set(d)) df.set(w, (df.get(w) ?? 0) + 1);
  const index = new Map<string, number>();
  for (const [w, f] of df) if (f >= 2) index.set(w, index.size);
  const n = texts.length;
  const idf = new Float64Array(index.size);
  for (const [w, i] of index) idf[i] = Math.log((1 + n) / (1 + (df.get(w) ?? 0))) + 1;
  const rows = docs.map((d) => {
    const tf = new Map<number, number>();
    for (const w of d) {
      const i = index.get(w);
      if (i !== undefined) tf.set(i, (tf.get(i) ?? 0) + 1);
    }
    const idx = Int32Array.from(tf.keys());
    const val = Float32Array.from(idx, (i) => (1 + Math.log(tf.get(i) ?? 1)) * (idf[i] ?? 0));
    const norm = Math.hypot(...val) || 1;
    for (let j = 0; j < val.length; j++) val[j] = (val[j] as number) / norm;
    return { idx, val };
  });
  return { rows, vocab: index.size };
}

/** Spherical k-means on sparse rows (k-means++ init, Lloyd), the TF-IDF baseline. */
function sparseKMeans(x: SparseRows, k: number, seed: number): Int32Array {
  const n = x.rows.length;
  const V = x.vocab;
  const random = seededRandom(seed);
  const cent = new Float32Array(k * V);
  const dotC = (r: { idx: Int32Array; val: Float32Array }, c: number): number => {
    let s = 0;
    const o = c * V;
    for (let j = 0; j < r.idx.length; j++) s += (r.val[j] as number) * (cent[o + (r.idx[j] as number)] as number);
    return s;
  };
  const setRow = (c: number, r: { idx: Int32Array; val: Float32Array }): void => {
    cent.fill(0, c * V, (c + 1) * V);
    for (let j = 0; j < r.idx.length; j++) cent[c * V + (r.idx[j] as number)] = r.val[j] as number;
  };
  // k-means++ on D² = 2 − 2cos.
  const dist = new Float64Array(n).fill(Infinity);
  let pick = Math.floor(random() * n);
  for (let c = 0; c < k; c++) {
    setRow(c, x.rows[pick] as { idx: Int32Array; val: Float32Array });
    let total = 0;
    for (let i = 0; i < n; i++) {
      const d2 = Math.max(0, 2 - 2 * dotC(x.rows[i] as { idx: Int32Array; val: Float32Array }, c));
      if (d2 < (dist[i] as number)) dist[i] = d2;
      total += dist[i] as number;
    }
    let target = random() * total;
    pick = n - 1;
    for (let i = 0; i < n; i++) {
      target -= dist[i] as number;
      if (target <= 0) {
        pick = i;
        break;
      }
    }
  }
  const assign = new Int32Array(n).fill(-1);
  for (let it = 0; it < 40; it++) {
    let changed = 0;
    x.rows.forEach((r, i) => {
      let best = 0;
      let bestSim = -Infinity;
      for (let c = 0; c < k; c++) {
        const s = dotC(r, c);
        if (s > bestSim) {
          bestSim = s;
          best = c;
        }
      }
      if (assign[i] !== best) changed++;
      assign[i] = best;
    });
    if (changed === 0) break;
    cent.fill(0);
    x.rows.forEach((r, i) => {
      const o = (assign[i] as number) * V;
      for (let j = 0; j < r.idx.length; j++) cent[o + (r.idx[j] as number)] = (cent[o + (r.idx[j] as number)] as number) + (r.val[j] as number);
    });
    normaliseRows(cent, k, V);
  }
  return assign;
}

/**
 * LSA stand-in for encoder vectors: project TF-IDF rows on the top `dim` right singular directions,
 * found by a few rounds of subspace iteration (cosines are invariant to the basis of that subspace).
 */
function lsaVectors(x: SparseRows, dim: number, seed: number): DenseRows {
  const n = x.rows.length;
  const V = x.vocab;
  const random = seededRandom(seed);
  let basis = Float32Array.from({ length: V * dim }, () => random() - 0.5); // V × dim
  orthonormaliseColumns(basis, V, dim);
  const project = (b: Float32Array): Float32Array => {
    const out = new Float32Array(n * dim);
    x.rows.forEach((r, i) => {
      for (let j = 0; j < r.idx.length; j++) {
        const w = r.val[j] as number;
        const o = (r.idx[j] as number) * dim;
        for (let d = 0; d < dim; d++) out[i * dim + d] = (out[i * dim + d] as number) + w * (b[o + d] as number);
      }
    });
    return out;
  };
  for (let round = 0; round < 3; round++) {
    const y = project(basis); // n × dim
    const next = new Float32Array(V * dim); // Xᵀ y
    x.rows.forEach((r, i) => {
      for (let j = 0; j < r.idx.length; j++) {
        const w = r.val[j] as number;
        const o = (r.idx[j] as number) * dim;
        for (let d = 0; d < dim; d++) next[o + d] = (next[o + d] as number) + w * (y[i * dim + d] as number);
      }
    });
    orthonormaliseColumns(next, V, dim);
    basis = next;
  }
  const data = project(basis);
  normaliseRows(data, n, dim);
  return { data, rows: n, dim };
}

function orthonormaliseColumns(m: Float32Array, rows: number, cols: number): void {
  for (let c = 0; c < cols; c++) {
    for (let p = 0; p < c; p++) {
      let dot = 0;
      for (let r = 0; r < rows; r++) dot += (m[r * cols + c] as number) * (m[r * cols + p] as number);
      for (let r = 0; r < rows; r++) m[r * cols + c] = (m[r * cols + c] as number) - dot * (m[r * cols + p] as number);
    }
    let norm = 0;
    for (let r = 0; r < rows; r++) norm += (m[r * cols + c] as number) ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let r = 0; r < rows; r++) m[r * cols + c] = (m[r * cols + c] as number) / norm;
  }
}

function neighbourPreservation(m: DenseRows, x: ArrayLike<number>, y: ArrayLike<number>, k: number): number {
  const all = Int32Array.from({ length: m.rows }, (_, i) => i);
  let kept = 0;
  const probes = sampleIndices(m.rows, 500, seededRandom(11));
  for (const i of probes) {
    const near = new Set(topKSimilar(m, m.data, i * m.dim, all, k, i).index);
    const onMap = [...all]
      .filter((j) => j !== i)
      .map((j) => ({ j, d: ((x[j] as number) - (x[i] as number)) ** 2 + ((y[j] as number) - (y[i] as number)) ** 2 }))
      .sort((p, q) => p.d - q.d)
      .slice(0, k);
    for (const { j } of onMap) if (near.has(j)) kept++;
  }
  return kept / (probes.length * k);
}

async function encoderVectors(texts: readonly string[]): Promise<DenseRows | undefined> {
  if (!existsSync(path.join(repo, 'models', 'atlas-mini-encoder', 'onnx'))) return undefined;
  try {
    const { TextEncoder } = await import('../src/engine/encoder/textEncoder');
    const encoder = await TextEncoder.open('atlas-mini-encoder', { providers: ['cpu'], threads: 2 });
    const [vectors, seconds] = await (async (): Promise<[Float32Array[], number]> => {
      const t0 = performance.now();
      const v = await encoder.encode(texts, 'document');
      return [v, (performance.now() - t0) / 1000];
    })();
    await encoder.release();
    console.log(`encoded ${texts.length} abstracts with atlas-mini-encoder in ${seconds.toFixed(1)} s`);
    return packRows(vectors);
  } catch (e) {
    console.log(`atlas-mini-encoder present but unusable (${e instanceof Error ? e.message : String(e)}); using LSA vectors`);
    return undefined;
  }
}

// --- main ----------------------------------------------------------------------------------------

async function main(): Promise<void> {
  if (!existsSync(dataFile)) {
    console.log(`skipped: ${dataFile} not found (the arXiv listings live in <repo>/../shared/data)`);
    return;
  }
  const all = gunzipSync(readFileSync(dataFile))
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => JSON.parse(l) as Listing);
  const heldOut = all.filter((p) => p.listed >= '2026-06-01').slice(0, 5000);
  const gold = heldOut.map((p) => p.categories[0] ?? '?');
  const texts = heldOut.map((p) => `${p.title}. ${p.abstract}`);
  console.log(`${all.length} listings; ${heldOut.length} held out, ${new Set(gold).size} primary categories\n`);

  const sparse = tfidf(texts);
  const encoded = await encoderVectors(texts);
  const source = encoded ? 'atlas-mini-encoder' : 'LSA-128 stand-in (encoder not available yet)';
  const lsa = lsaVectors(sparse, 128, 7);
  const vectors = encoded ?? lsa;
  console.log(`vectors: ${source}, ${vectors.rows} × ${vectors.dim}\n`);

  const scoreOf = (labels: Int32Array): { nmi: number; ami: number } => ({ nmi: normalizedMutualInformation(gold, labels), ami: adjustedMutualInformation(gold, labels) });
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

  // 1. Auto-k rules (k chosen on the vectors), plus fixed k for reference.
  const rows: Array<Array<string | number>> = [];
  const candidates: Array<{ name: string; k: number; seconds: number; miniBatch?: boolean }> = [];
  for (const rule of ['sqrt', 'silhouette'] as ClusterCountRule[]) {
    const [choice, seconds] = time(() => chooseClusterCount(vectors, { rule, seed: 42 }));
    candidates.push({ name: `auto: ${rule}`, k: choice.k, seconds });
    if (rule === 'silhouette') console.log(`silhouette by k: ${choice.scores.map((s) => `${s.k}:${s.silhouette.toFixed(3)}`).join(' ')}\n`);
  }
  for (const k of [7, 15, 30]) candidates.push({ name: `fixed k=${k}`, k, seconds: 0 });
  candidates.push({ name: 'auto: sqrt, mini-batch', k: candidates[0]?.k ?? 50, seconds: candidates[0]?.seconds ?? 0, miniBatch: true });
  for (const c of candidates) {
    const ours: Array<{ nmi: number; ami: number }> = [];
    const base: Array<{ nmi: number; ami: number }> = [];
    // Same k-means on LSA vectors: tells the clustering apart from the encoder.
    const onLsa: Array<{ nmi: number; ami: number }> = [];
    let kmSeconds = 0;
    let baseSeconds = 0;
    for (let s = 0; s < seeds; s++) {
      const [r, t1] = time(() => sphericalKMeans(vectors, c.k, { seed: 42 + s, ...(c.miniBatch ? { miniBatchAbove: 1000 } : {}) }));
      kmSeconds += t1;
      ours.push(scoreOf(r.assignments));
      if (encoded) onLsa.push(scoreOf(sphericalKMeans(lsa, c.k, { seed: 42 + s, ...(c.miniBatch ? { miniBatchAbove: 1000 } : {}) }).assignments));
      const [b, t2] = time(() => sparseKMeans(sparse, c.k, 42 + s));
      baseSeconds += t2;
      base.push(scoreOf(b));
    }
    rows.push([
      c.name,
      c.k,
      mean(ours.map((o) => o.nmi)),
      mean(ours.map((o) => o.ami)),
      mean(base.map((o) => o.nmi)),
      mean(base.map((o) => o.ami)),
      onLsa.length ? `${mean(onLsa.map((o) => o.nmi)).toFixed(3)} / ${mean(onLsa.map((o) => o.ami)).toFixed(3)}` : '(same)',
      `${c.seconds.toFixed(2)} + ${(kmSeconds / seeds).toFixed(2)}`,
      (baseSeconds / seeds).toFixed(2),
    ]);
  }
  console.log(`Cluster quality vs primary arXiv category (mean of ${seeds} seeds; 5,000 held-out listings)`);
  printTable(['k rule', 'k', 'NMI ours', 'AMI ours', 'NMI tfidf', 'AMI tfidf', 'ours on LSA NMI / AMI', 'ours s (choose k + k-means)', 'tfidf s'], rows);

  // Labels of the auto clusters, to eyeball.
  const autoK = candidates.find((c) => c.name === 'auto: sqrt')?.k ?? 50;
  const km = sphericalKMeans(vectors, autoK, { seed: 42 });
  const [labels, labelSeconds] = time(() => clusterLabels(texts, km.assignments, km.k));
  console.log(`c-TF-IDF labels (${km.k} clusters, ${labelSeconds.toFixed(2)} s), first 8:`);
  labels.slice(0, 8).forEach((l, c) => console.log(`  ${c}: ${l.label}`));
  console.log();

  // Layout: how many of a paper's 10 nearest neighbours (cosine) stay among its 10 nearest on the map.
  const layoutRows: Array<Array<string | number>> = [];
  const layouts: Array<[string, () => { x: Float64Array; y: Float64Array }]> = [
    ['UMAP on all 5,000', () => layoutPapers(vectors, km.assignments, { seed: 42, umapSample: 5000 })],
    ['UMAP on 2,000 + placement', () => layoutPapers(vectors, km.assignments, { seed: 42, umapSample: 2000 })],
    ['PCA', () => pca2d(vectors)],
  ];
  for (const [name, run] of layouts) {
    const [layout, seconds] = time(run);
    layoutRows.push([name, neighbourPreservation(vectors, layout.x, layout.y, 10), seconds.toFixed(2)]);
  }
  console.log('Layout: 10-NN preservation (share of a paper\'s 10 nearest vectors among its 10 nearest map points; 500 papers)');
  printTable(['layout', '10-NN kept', 's'], layoutRows);

  if (args.includes('--quality-only')) return;
  // 2. Speed at 10k and ~75k papers.
  const timings: Array<Array<string | number>> = [];
  for (const n of args.includes('--skip-75k') ? [10_000] : [10_000, all.length]) {
    const subset = all.slice(0, n);
    const subsetTexts = subset.map((p) => `${p.title}. ${p.abstract}`);
    const [lsa, tLsa] = time(() => lsaVectors(tfidf(subsetTexts), 128, 7));
    const [choice, tK] = time(() => chooseClusterCount(lsa, { rule: 'sqrt', seed: 42 }));
    const [silChoice, tSil] = time(() => chooseClusterCount(lsa, { rule: 'silhouette', seed: 42 }));
    const [result, tKm] = time(() => sphericalKMeans(lsa, choice.k, { seed: 42 }));
    const [layout, tLayout] = time(() => layoutPapers(lsa, result.assignments, { seed: 42 }));
    const [, tLabels] = time(() => clusterLabels(subsetTexts, result.assignments, result.k));
    // Incremental: 1% of the papers edited.
    const ids = subset.map((p) => p.id);
    const previous = {
      points: ids.map((id, i) => ({ id, x: layout.x[i] as number, y: layout.y[i] as number, cluster: result.assignments[i] as number })),
      centroids: result.centroids,
    };
    const changed = sampleIndices(n, Math.floor(n / 100), seededRandom(3)).map((i) => ids[i] as string);
    const byId = new Map(ids.map((id, i) => [id, lsa.data.subarray(i * lsa.dim, (i + 1) * lsa.dim)]));
    const [, tUpdate] = time(() => updateLayout(previous, changed, byId));
    timings.push([
      n,
      result.k,
      tK.toFixed(3),
      `${tSil.toFixed(2)} (k=${silChoice.k})`,
      `${tKm.toFixed(2)} (${result.iterations} it)`,
      `${tLayout.toFixed(2)} (${layout.method})`,
      tLabels.toFixed(2),
      (tK + tKm + tLayout + tLabels).toFixed(2),
      tUpdate.toFixed(2),
      tLsa.toFixed(1),
    ]);
    console.log(`  ${n} papers done: ${timings[timings.length - 1]?.join(' | ')}`);
  }
  console.log(`Speed (s, this machine: ${(await import('node:os')).cpus().length} cores, shared; LSA-128 vectors of the first n listings)`);
  printTable(['papers', 'k', 'k sqrt', 'k silhouette', 'k-means', 'layout', 'labels', 'total (sqrt k)', 'update 1%', '(LSA prep)'], timings);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
