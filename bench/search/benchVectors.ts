/**
 * Real vectors for the search benchmark: arXiv listings and ACL Anthology abstracts embedded once
 * with the bundled encoder and cached (keyed by the model's fingerprint) under the bench cache, so
 * later runs go straight to the measurements. Synthetic growth to 1M comes from perturbed copies.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { seededRandom, type RandomFn } from '../../src/core/clustering/seededRandom';
import { TextEncoder } from '../../src/engine/encoder/textEncoder';
import { benchCacheDir } from '../encoding/benchModels';
import { sharedDataDir } from '../heldOutData';

export interface BenchPaper {
  id: string;
  title: string;
  /** Empty for the synthetic copies. */
  abstract: string;
  /** What is embedded and full-text indexed (the product's documentText: title. abstract). */
  text: string;
}

export interface BenchCorpus {
  papers: BenchPaper[];
  dims: number;
  /** Row-major, L2-normalised. */
  vectors: Float32Array;
}

function readJsonLinesGz(file: string): Record<string, unknown>[] {
  return gunzipSync(readFileSync(file))
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** arXiv first, then ACL, as many as asked for; undefined when ../shared/data is absent. */
export function readBenchPapers(count: number): BenchPaper[] | undefined {
  const arxiv = path.join(sharedDataDir(), 'arxiv', 'arxiv-listings.jsonl.gz');
  const acl = path.join(sharedDataDir(), 'acl', 'acl-anthology.jsonl.gz');
  if (!existsSync(arxiv) || !existsSync(acl)) return undefined;
  const papers: BenchPaper[] = [];
  for (const r of readJsonLinesGz(arxiv)) {
    if (papers.length >= count) return papers;
    papers.push({ id: `arxiv:${String(r.id)}`, title: String(r.title), abstract: String(r.abstract ?? ''), text: `${String(r.title)}. ${String(r.abstract ?? '')}` });
  }
  for (const r of readJsonLinesGz(acl)) {
    if (papers.length >= count) break;
    if (!r.abstract) continue;
    papers.push({ id: `acl:${String(r.bibkey)}`, title: String(r.title), abstract: String(r.abstract), text: `${String(r.title)}. ${String(r.abstract)}` });
  }
  return papers;
}

export async function embeddedCorpus(count: number, log: (line: string) => void): Promise<BenchCorpus | undefined> {
  const papers = readBenchPapers(count);
  if (!papers) return undefined;
  const encoder = await TextEncoder.open('atlas-mini-encoder', { providers: ['cpu'], threads: 2 });
  const dims = encoder.dims;
  const dir = path.join(benchCacheDir(), 'vectors');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${encoder.fingerprint}-${papers.length}.f32`);
  // Papers come in a fixed order, so a cache of a larger corpus holds this one as its prefix.
  const cached = readdirSync(dir)
    .map((f) => /^(.+)-(\d+)\.f32$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null && m[1] === encoder.fingerprint && Number(m[2]) >= papers.length)
    .sort((a, b) => Number(a[2]) - Number(b[2]))[0];
  if (cached) {
    await encoder.release();
    const buf = readFileSync(path.join(dir, cached[0]));
    return { papers, dims, vectors: new Float32Array(buf.buffer, buf.byteOffset, papers.length * dims) };
  }
  log(`embedding ${papers.length} papers once for the search benchmark (cached in ${dir})`);
  const vectors = new Float32Array(papers.length * dims);
  const started = Date.now();
  for (let i = 0; i < papers.length; i += 4096) {
    const chunk = await encoder.encode(
      papers.slice(i, i + 4096).map((p) => p.text),
      'document',
    );
    chunk.forEach((v, j) => vectors.set(v, (i + j) * dims));
    log(`  ${Math.min(i + 4096, papers.length)}/${papers.length} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
  await encoder.release();
  writeFileSync(file, Buffer.from(vectors.buffer));
  return { papers, dims, vectors };
}

function gaussian(random: RandomFn): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/**
 * Grows a corpus to `target` vectors with perturbed copies of real ones: v + σg, renormalised, with σ
 * such that a copy keeps cosine ≈ 0.8 to its source — about as close as a paper's near neighbours
 * here, so the copies fill the real clusters instead of forming a separate cloud.
 */
export function perturbedCopies(corpus: BenchCorpus, target: number, seed = 11): BenchCorpus {
  const { dims } = corpus;
  const real = corpus.papers.length;
  const random = seededRandom(seed);
  const sigma = Math.sqrt((1 / 0.8 ** 2 - 1) / dims);
  const vectors = new Float32Array(target * dims);
  vectors.set(corpus.vectors.subarray(0, real * dims));
  const papers = [...corpus.papers];
  for (let i = real; i < target; i++) {
    const source = Math.floor(random() * real);
    let norm = 0;
    const base = i * dims;
    for (let d = 0; d < dims; d++) {
      const x = corpus.vectors[source * dims + d]! + sigma * gaussian(random);
      vectors[base + d] = x;
      norm += x * x;
    }
    norm = Math.sqrt(norm);
    for (let d = 0; d < dims; d++) vectors[base + d]! /= norm;
    const p = corpus.papers[source]!;
    // Copies carry only their title as text: a million full abstracts would make the full-text index the benchmark.
    papers.push({ id: `copy:${i}`, title: p.title, abstract: '', text: p.title });
  }
  return { papers, dims, vectors };
}
