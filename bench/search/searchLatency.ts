/**
 * Search latency and recall at growing library sizes. For each size the vectors go into a fresh
 * LanceDB table through our PaperStore (so the product's index choice applies: flat under 50k, IVF-PQ
 * from there with nprobes/refine as shipped), then:
 *  - vector search of stored papers' own vectors (what related() asks): p50/p95, recall@10 against
 *    exact search (brute force in JS: the same cosine ranking, without LanceDB's flat-scan cost);
 *  - the flat scan (index bypassed) for comparison;
 *  - hybrid search (query encoding + vectors + full text, fused) for paper titles typed as queries;
 *  - related work as shipped (vector neighbours + a bounded more-like-this, fused), against the
 *    earlier related work whose more-like-this was the paper's whole text.
 * `indexDir` keeps the index between runs (a 75k index takes minutes to build on a shared machine).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sampleIndices, seededRandom } from '../../src/core/clustering/seededRandom';
import { FUSION_DEPTH, reciprocalRankFusion } from '../../src/core/ranking';
import { ivfFlatPartitions, PaperStore, type StoredRow } from '../../src/engine/store/paperStore';
import { SearchService } from '../../src/engine/search/searchService';
import { TextEncoder } from '../../src/engine/encoder/textEncoder';
import { percentile } from '../stats';
import type { BenchCorpus } from './benchVectors';

export interface SearchSizeResult {
  papers: number;
  index: string;
  buildSeconds: number;
  vectorP50: number;
  vectorP95: number;
  recallAt10: number;
  flatP50: number;
  flatP95: number;
  hybridP50: number;
  hybridP95: number;
  /** related() as shipped; the first call (which counts the library's word statistics) is reported apart. */
  relatedP50: number;
  relatedP95: number;
  relatedFirstMs: number;
  /** The earlier related(): vectors + the whole text as the full-text query, RRF. */
  relatedWholeTextP50: number;
  relatedWholeTextP95: number;
  relatedQueries: number;
  queries: number;
}

function rowFor(p: BenchCorpus['papers'][number], vector: Float32Array): StoredRow {
  return {
    id: p.id,
    title: p.title,
    abstract: p.abstract,
    authors: '[]',
    year: null,
    venue: '',
    doi: '',
    url: '',
    arxivId: '',
    keywords: '[]',
    sources: '[]',
    contentHash: '',
    metaHash: '',
    normTitle: '',
    text: p.text,
    vector: Array.from(vector),
  };
}

/** Exact top-k by cosine (vectors are unit length, so a dot product) over the first n rows. */
function exactTopK(corpus: BenchCorpus, n: number, query: Float32Array, k: number): string[] {
  const { dims, vectors } = corpus;
  const best: { i: number; s: number }[] = [];
  for (let i = 0; i < n; i++) {
    let s = 0;
    const base = i * dims;
    for (let d = 0; d < dims; d++) s += vectors[base + d]! * query[d]!;
    if (best.length < k || s > best[best.length - 1]!.s) {
      best.push({ i, s });
      best.sort((a, b) => b.s - a.s);
      if (best.length > k) best.pop();
    }
  }
  return best.map((b) => corpus.papers[b.i]!.id);
}

async function timeEach<T>(items: readonly T[], run: (item: T) => Promise<unknown>): Promise<number[]> {
  const ms: number[] = [];
  for (const item of items) {
    const t = performance.now();
    await run(item);
    ms.push(performance.now() - t);
  }
  return ms;
}

export async function benchSearchAtSize(
  corpus: BenchCorpus,
  n: number,
  options: { queries: number; flatQueries: number; log: (line: string) => void; nprobes?: number; indexDir?: string },
): Promise<SearchSizeResult> {
  const { log } = options;
  const keep = options.indexDir !== undefined;
  const dir = keep ? path.join(options.indexDir!, `papers-${n}`) : mkdtempSync(path.join(os.tmpdir(), 'atlas-bench-search-'));
  try {
    if (keep) mkdirSync(dir, { recursive: true });
    const store = await PaperStore.open(dir, 'papers__bench', corpus.dims);
    const t0 = performance.now();
    const chunk = 20_000;
    const existing = await store.count();
    if (existing > 0 && existing !== n) await store.clear();
    if (existing === n) log(`  reusing the index in ${dir}`);
    else for (let i = 0; i < n; i += chunk) {
      const rows: StoredRow[] = [];
      for (let j = i; j < Math.min(n, i + chunk); j++) rows.push(rowFor(corpus.papers[j]!, corpus.vectors.subarray(j * corpus.dims, (j + 1) * corpus.dims)));
      await store.add(rows);
    }
    log(`  ${n} rows written in ${((performance.now() - t0) / 1000).toFixed(1)} s; building indices`);
    await store.maintain(log);
    const buildSeconds = (performance.now() - t0) / 1000;
    const info = store.indexInfo();
    if (options.nprobes) store.setNprobes(options.nprobes);
    const random = seededRandom(7);
    const sample = sampleIndices(n, options.queries, random);
    const vectorOf = (i: number): Float32Array => corpus.vectors.subarray(i * corpus.dims, (i + 1) * corpus.dims);
    await store.vectorSearch(vectorOf(sample[0]!), 10); // first query opens files: out of the timing
    let hits = 0;
    const vectorMs: number[] = [];
    for (const i of sample) {
      const t = performance.now();
      const found = await store.vectorSearch(vectorOf(i), 10);
      vectorMs.push(performance.now() - t);
      const truth = new Set(exactTopK(corpus, n, vectorOf(i), 10));
      hits += found.filter((h) => truth.has(h.id)).length;
    }
    const flatMs = await timeEach(sample.slice(0, options.flatQueries), (i) => store.vectorSearch(vectorOf(i), 10, true));
    const encoder = await TextEncoder.open('atlas-mini-encoder', { providers: ['cpu'], threads: 2 });
    const search = new SearchService(store, encoder);
    const titles = sample.map((i) => corpus.papers[i]!.title);
    await search.search(titles[0]!, 10);
    const hybridMs = await timeEach(titles, (q) => search.search(q, 10, 'hybrid'));
    // Related work for real papers only (synthetic copies carry no abstract).
    const relatedIds = sample.filter((i) => !corpus.papers[i]!.id.startsWith('copy:')).slice(0, Math.min(200, options.queries));
    const idOf = (i: number): string => corpus.papers[i]!.id;
    const first = performance.now();
    if (relatedIds.length) await search.related(idOf(relatedIds[0]!), 10);
    const relatedFirstMs = performance.now() - first;
    const relatedMs = await timeEach(relatedIds, (i) => search.related(idOf(i), 10));
    const wholeTextMs = await timeEach(relatedIds, async (i) => {
      const [v, f] = await Promise.all([store.vectorSearch(vectorOf(i), FUSION_DEPTH + 1), store.fullTextSearch(corpus.papers[i]!.text, FUSION_DEPTH + 1)]);
      return reciprocalRankFusion([v, f]);
    });
    await encoder.release();
    store.close();
    return {
      papers: n,
      index: info.vector ? `IVF_FLAT, ${ivfFlatPartitions(n)} partitions (nprobes ${store.nprobes})` : 'flat',
      buildSeconds,
      vectorP50: percentile(vectorMs, 50),
      vectorP95: percentile(vectorMs, 95),
      recallAt10: hits / (sample.length * 10),
      flatP50: percentile(flatMs, 50),
      flatP95: percentile(flatMs, 95),
      hybridP50: percentile(hybridMs, 50),
      hybridP95: percentile(hybridMs, 95),
      relatedP50: percentile(relatedMs, 50),
      relatedP95: percentile(relatedMs, 95),
      relatedFirstMs,
      relatedWholeTextP50: percentile(wholeTextMs, 50),
      relatedWholeTextP95: percentile(wholeTextMs, 95),
      relatedQueries: relatedIds.length,
      queries: sample.length,
    };
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}
