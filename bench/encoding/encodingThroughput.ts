/**
 * Encoding throughput, side by side: our TextEncoder against transformers.js `feature-extraction`
 * (mean pooling, normalised) on the same ONNX files, the same texts (title + abstract, truncated at
 * 256 tokens), the same 2 intra-op threads. The machine's speed drifts ±20% over minutes, so the
 * contenders alternate within each round (and the order flips every round); ratios are taken
 * within a round, then the median over rounds is reported.
 */
import { performance } from 'node:perf_hooks';
import { TextEncoder } from '../../src/engine/encoder/textEncoder';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { median } from '../stats';
import { POOLED_INT8_FILE, type BenchModel } from './benchModels';
import { numpyCeiling, openCeilingProbe, shareOfCeiling, type NumpyCeiling } from './matmulCeiling';

/** Rows of the ceiling GEMM: a batch of 8–32 abstracts of ~230 tokens is 2k–7k token rows. */
const CEILING_ROWS = 2048;

/** This CPU's peaks as stated in issue #6: 2 cores × 2 AVX-512 FMA units × 16 lanes × 2 flops × ~4.2 GHz; int8 VNNI 4× that. */
export const FP32_PEAK_GFLOPS = 529;
export const INT8_PEAK_GOPS = 2000;

type Precision = 'fp32' | 'int8';

interface Contender {
  label: string;
  engine: 'paper-atlas' | 'paper-atlas (pooled in graph)' | 'transformers.js';
  precision: Precision;
  encode(texts: readonly string[]): Promise<number>;
  close(): Promise<void>;
}

export interface ContenderResult {
  model: string;
  engine: string;
  precision: Precision;
  setting: string;
  abstractsPerSecond: number;
  tokensPerSecond: number;
  gflops: number;
  percentOfPeak: number;
  /** fp32 only: median over rounds of achieved GFLOP/s ÷ the onnxruntime MatMul ceiling of the same round. */
  shareOfCeiling?: number;
  roundsAbstractsPerSecond: number[];
}

/** The measured GEMM ceiling of one model's FFN shape (see matmulCeiling.ts). */
export interface CeilingResult {
  model: string;
  shape: string;
  onnxruntimeGflops: number;
  roundsGflops: number[];
  numpy: NumpyCeiling | { skipped: string };
}

export interface RatioResult {
  model: string;
  what: string;
  ratio: number;
  rounds: number[];
  goal: number;
}

const FILES: Record<Precision, string> = { fp32: 'onnx/model.onnx', int8: 'onnx/model_int8.onnx' };

async function ourEncoder(model: BenchModel, precision: Precision, threads: number, batchSize: number, pooledInGraph = false): Promise<Contender> {
  const onnxFile = pooledInGraph ? POOLED_INT8_FILE : FILES[precision];
  const encoder = await TextEncoder.open(model.dir, { providers: ['cpu'], threads, onnxFile, batchSize, batchTokens: batchSize * 256 });
  return {
    label: `paper-atlas ${precision}${pooledInGraph ? ', pooled in graph' : ''} (batch ${batchSize})`,
    engine: pooledInGraph ? 'paper-atlas (pooled in graph)' : 'paper-atlas',
    precision,
    encode: async (texts) => (await encoder.encode(texts, 'document')).length,
    close: () => encoder.release(),
  };
}

type FeatureExtractor = ((texts: string[], options: { pooling: 'mean'; normalize: boolean }) => Promise<{ dims: number[] }>) & {
  dispose(): Promise<void>;
};

async function transformersJs(model: BenchModel, precision: Precision, threads: number, batchSize: number): Promise<Contender> {
  // transformers.js 4.x runs on the same onnxruntime-node (1.30.0) as our engine; loaded only from local files.
  const tjs = (await import('transformers-js')) as unknown as {
    env: { allowRemoteModels: boolean; localModelPath: string; allowLocalModels: boolean };
    pipeline(task: string, model: string, options: Record<string, unknown>): Promise<FeatureExtractor>;
  };
  tjs.env.allowRemoteModels = false;
  tjs.env.allowLocalModels = true;
  const extractor = await tjs.pipeline('feature-extraction', model.dir, {
    dtype: precision,
    device: 'cpu',
    // The same session settings as our engine (threads, no spin-waiting): the A/B then measures only what
    // each does around onnxruntime — tokenising, batching, pooling.
    session_options: { intraOpNumThreads: threads, interOpNumThreads: 1, extra: { session: { intra_op: { allow_spinning: process.env.PAPER_ATLAS_ORT_SPIN === '1' ? '1' : '0' } } } },
  });
  return {
    label: `transformers.js ${precision} (batch ${batchSize})`,
    engine: 'transformers.js',
    precision,
    encode: async (texts) => {
      let n = 0;
      for (let i = 0; i < texts.length; i += batchSize) {
        const out = await extractor(texts.slice(i, i + batchSize), { pooling: 'mean', normalize: true });
        n += out.dims[0] ?? 0;
      }
      return n;
    },
    close: () => extractor.dispose(),
  };
}

async function timed(c: Contender, texts: readonly string[]): Promise<number> {
  const t0 = performance.now();
  const n = await c.encode(texts);
  const seconds = (performance.now() - t0) / 1000;
  if (n !== texts.length) throw new Error(`${c.label} returned ${n} vectors for ${texts.length} texts`);
  return seconds;
}

/**
 * Both engines at their best: the batch size of each is picked on a sample first (transformers.js
 * pads each batch to its longest text, so small batches waste less; ours sorts by length first).
 */
async function bestBatch(
  open: (batch: number) => Promise<Contender>,
  batches: readonly number[],
  sample: readonly string[],
  log: (l: string) => void,
): Promise<number> {
  let best = { batch: batches[0] ?? 1, rate: 0 };
  for (const batch of batches) {
    const c = await open(batch);
    await c.encode(sample.slice(0, 16));
    const rate = sample.length / (await timed(c, sample));
    await c.close();
    log(`  ${c.label}: ${rate.toFixed(1)} abstracts/s (probe on ${sample.length})`);
    if (rate > best.rate) best = { batch, rate };
  }
  return best.batch;
}

export async function benchEncodingThroughput(
  models: readonly BenchModel[],
  texts: readonly string[],
  options: { rounds: number; threads: number; log: (line: string) => void; probeSize?: number; quick?: boolean },
): Promise<{ contenders: ContenderResult[]; ratios: RatioResult[]; tokensPerText: number; ceilings: CeilingResult[] }> {
  const { rounds, threads, log } = options;
  const contenders: ContenderResult[] = [];
  const ceilings: CeilingResult[] = [];
  const ratios: RatioResult[] = [];
  let tokensPerText = 0;
  for (const model of models) {
    log(`encoding: ${model.name}, ${texts.length} abstracts, ${rounds} alternating round(s), ${threads} threads`);
    const counter = await TextEncoder.open(model.dir, { providers: ['cpu'], threads: 1 });
    const tokens = texts.reduce((s, t) => s + counter.tokenise(t).length, 0);
    await counter.release();
    tokensPerText = tokens / texts.length;
    const sample = texts.slice(0, Math.min(options.probeSize ?? 160, texts.length));
    const all: Contender[] = [];
    for (const precision of ['fp32', 'int8'] as const) {
      // --quick probes fewer batch sizes and leaves out the pooled variant, to stay under 3 minutes.
      const theirs = await bestBatch((b) => transformersJs(model, precision, threads, b), options.quick ? [4, 16] : [1, 4, 16], sample, log);
      const ours = await bestBatch((b) => ourEncoder(model, precision, threads, b), options.quick ? [8, 32] : [8, 32, 64], sample, log);
      all.push(await transformersJs(model, precision, threads, theirs));
      all.push(await ourEncoder(model, precision, threads, ours));
      // A variant file (pooling appended to the same graph): not part of the same-file A/B, shown beside it.
      if (precision === 'int8' && !options.quick && existsSync(path.join(model.dir, POOLED_INT8_FILE))) all.push(await ourEncoder(model, precision, threads, ours, true));
    }
    for (const c of all) await c.encode(texts.slice(0, 32)); // warm-up: first-run allocations out of the timing
    const shape = { m: CEILING_ROWS, k: model.hidden, n: model.ffn };
    const ceiling = await openCeilingProbe(shape, threads);
    await ceiling.measure(5);
    const ceilingRounds: number[] = [];
    const seconds = new Map<Contender, number[]>(all.map((c) => [c, []]));
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? all : [...all].reverse();
      // The ceiling is timed in every round, between the contenders, so both see the same machine.
      const half = Math.ceil(order.length / 2);
      for (const [i, c] of order.entries()) {
        if (i === half) {
          ceilingRounds.push(await ceiling.measure());
          log(`  round ${r + 1}: ${'onnxruntime MatMul ceiling'.padEnd(34)} ${ceilingRounds.at(-1)!.toFixed(1)} GFLOP/s (${shape.m}×${shape.k}·${shape.k}×${shape.n})`);
        }
        const s = await timed(c, texts);
        seconds.get(c)!.push(s);
        log(`  round ${r + 1}: ${c.label.padEnd(34)} ${(texts.length / s).toFixed(1)} abstracts/s`);
      }
    }
    await ceiling.close();
    const numpy = numpyCeiling(shape, threads);
    log(`  numpy ${shape.m}×${shape.k}·${shape.k}×${shape.n}: ${'gflops' in numpy ? `${numpy.gflops.toFixed(1)} GFLOP/s (${numpy.blas})` : numpy.skipped}`);
    ceilings.push({ model: model.name, shape: `${shape.m}×${shape.k}·${shape.k}×${shape.n}`, onnxruntimeGflops: median(ceilingRounds), roundsGflops: ceilingRounds, numpy });
    const rate = (c: Contender): number[] => seconds.get(c)!.map((s) => texts.length / s);
    for (const c of all) {
      const perSecond = median(rate(c));
      const gflops = (perSecond * tokensPerText * model.mflopPerToken) / 1000;
      contenders.push({
        model: model.name,
        engine: c.engine,
        precision: c.precision,
        setting: c.label,
        abstractsPerSecond: perSecond,
        tokensPerSecond: perSecond * tokensPerText,
        gflops,
        percentOfPeak: (100 * gflops) / (c.precision === 'fp32' ? FP32_PEAK_GFLOPS : INT8_PEAK_GOPS),
        ...(c.precision === 'fp32'
          ? { shareOfCeiling: shareOfCeiling(rate(c).map((x) => (x * tokensPerText * model.mflopPerToken) / 1000), ceilingRounds) }
          : {}),
        roundsAbstractsPerSecond: rate(c),
      });
    }
    const find = (engine: Contender['engine'], precision: Precision): Contender => all.find((c) => c.engine === engine && c.precision === precision)!;
    const ratio = (what: string, a: Contender, b: Contender, goal: number): void => {
      const perRound = rate(a).map((x, i) => x / rate(b)[i]!);
      ratios.push({ model: model.name, what, ratio: median(perRound), rounds: perRound, goal });
    };
    ratio('paper-atlas fp32 / transformers.js fp32', find('paper-atlas', 'fp32'), find('transformers.js', 'fp32'), 1.2);
    ratio('paper-atlas int8 / transformers.js int8', find('paper-atlas', 'int8'), find('transformers.js', 'int8'), 1.2);
    ratio('paper-atlas int8 (default) / transformers.js fp32', find('paper-atlas', 'int8'), find('transformers.js', 'fp32'), 2.2);
    const pooled = all.find((c) => c.engine === 'paper-atlas (pooled in graph)');
    if (pooled) ratio('paper-atlas int8 pooled in graph / paper-atlas int8', pooled, find('paper-atlas', 'int8'), 1);
    for (const c of all) await c.close();
  }
  return { contenders, ratios, tokensPerText, ceilings };
}
