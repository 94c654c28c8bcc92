/**
 * This machine's real ceiling for an encoder: fp32 MatMuls of the encoder's FFN shape
 * ([tokens × hidden] · [hidden × ffn] and back, see matMulModel), run by onnxruntime-node with the engine's own session settings
 * (same threads, no spin-waiting unless PAPER_ATLAS_ORT_SPIN=1, weights as an initializer so they are
 * pre-packed as the model's are). An encoder cannot beat the GEMM it is made of, so its achieved
 * GFLOP/s is judged as a share of this figure, measured in the same rounds as the encoder (the cores'
 * speed drifts ±20 % over minutes and collapses under load), not against a datasheet peak.
 * Where numpy is present the same product is timed there too, with the BLAS it is linked to named:
 * Debian's numpy on the reference BLAS is no ceiling at all, and the report must say which it was.
 */
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { onnx } from 'onnx-proto';
import { openSessionWithFallback } from '../../src/engine/encoder/executionProviders';
import * as ort from '../../src/engine/encoder/onnxRuntime';
import { median } from '../stats';

export interface GemmShape {
  /** Rows: tokens in one batch. */
  m: number;
  /** The encoder's hidden size. */
  k: number;
  /** The encoder's FFN width. */
  n: number;
}

/** Chained FFN pairs per run: the JS copies of input and output (onnxruntime-node copies every output
 * into a new buffer) then cost ~1% of the timed work, not a third of it as with one MatMul. */
export const FFN_PAIRS = 4;

/**
 * The FFN's two products, `FFN_PAIRS` times: Y = (((X·W1)·W2)·W1)·W2…, [m × k]·[k × n] then [m × n]·[n × k],
 * with W1, W2 constant initializers (fixed-seed uniform, variance 1/fan-in, so values neither blow up nor
 * sink into denormals, which are far slower). A single MatMul with its 2048 × 1536 output read half the
 * encoder's own speed here: the output copy, not the GEMM, was being timed.
 */
export function matMulModel({ m, k, n }: GemmShape): Uint8Array {
  let seed = 12345;
  const uniform = (count: number, fanIn: number): Float32Array => {
    const bound = Math.sqrt(3 / fanIn);
    return new Float32Array(count).map(() => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return (2 * (seed / 2 ** 32) - 1) * bound;
    });
  };
  const floatTensor = (name: string, dims: number[]): onnx.IValueInfoProto => ({
    name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims.map((d) => ({ dimValue: d })) } } },
  });
  const initializer = (name: string, dims: number[], values: Float32Array): onnx.ITensorProto => ({
    name,
    dims,
    dataType: onnx.TensorProto.DataType.FLOAT,
    rawData: new Uint8Array(values.buffer),
  });
  const node: onnx.INodeProto[] = [];
  let previous = 'A';
  for (let i = 0; i < FFN_PAIRS; i++) {
    const last = i === FFN_PAIRS - 1;
    node.push({ opType: 'MatMul', input: [previous, 'W1'], output: [`up${i}`], name: `up${i}` });
    node.push({ opType: 'MatMul', input: [`up${i}`, 'W2'], output: [last ? 'Y' : `down${i}`], name: `down${i}` });
    previous = `down${i}`;
  }
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'paper-atlas-bench',
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'ffn_matmuls',
      node,
      initializer: [initializer('W1', [k, n], uniform(k * n, k)), initializer('W2', [n, k], uniform(n * k, n))],
      input: [floatTensor('A', [m, k])],
      output: [floatTensor('Y', [m, k])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

export interface CeilingProbe {
  shape: GemmShape;
  /** Times the product `repeats` times; GFLOP/s of that stretch. */
  measure(repeats?: number): Promise<number>;
  close(): Promise<void>;
}

export async function openCeilingProbe(shape: GemmShape, threads: number): Promise<CeilingProbe> {
  const { session } = await openSessionWithFallback(matMulModel(shape), ['cpu'], { intraOpNumThreads: threads });
  const a = new ort.Tensor('float32', new Float32Array(shape.m * shape.k).map((_, i) => ((i * 7919) % 2001) / 1000 - 1), [shape.m, shape.k]);
  const flops = FFN_PAIRS * 2 * (2 * shape.m * shape.k * shape.n);
  await session.run({ A: a }); // first run allocates
  return {
    shape,
    async measure(repeats = 5): Promise<number> {
      const t0 = performance.now();
      for (let i = 0; i < repeats; i++) await session.run({ A: a });
      return (repeats * flops) / ((performance.now() - t0) / 1000) / 1e9;
    },
    close: () => session.release(),
  };
}

export interface NumpyCeiling {
  gflops: number;
  blas: string;
}

/** The same product in numpy (best of 5 × 20 runs), and the BLAS library numpy actually mapped; undefined without numpy. */
export function numpyCeiling({ m, k, n }: GemmShape, threads: number): NumpyCeiling | { skipped: string } {
  const script = `
import os, time, json
import numpy as np
a = np.random.rand(${m}, ${k}).astype(np.float32); b = np.random.rand(${k}, ${n}).astype(np.float32)
a @ b
best = 0.0
for _ in range(5):
    t = time.perf_counter()
    for _ in range(20): a @ b
    best = max(best, 20 * 2 * ${m} * ${k} * ${n} / (time.perf_counter() - t) / 1e9)
libs = sorted({l.split()[-1] for l in open('/proc/self/maps') if 'blas' in l.lower() or 'lapack' in l.lower()})
print(json.dumps({'gflops': best, 'blas': ', '.join(os.path.basename(x) for x in libs) or 'unknown'}))
`;
  try {
    const env = { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads), OMP_WAIT_POLICY: 'PASSIVE' };
    const out = execFileSync('python3', ['-c', script], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    return JSON.parse(out.trim().split('\n').pop() ?? '{}') as NumpyCeiling;
  } catch (e) {
    return { skipped: `numpy not usable here (${String((e as Error).message).split('\n')[0]})` };
  }
}

/** Median over rounds of encoder GFLOP/s ÷ ceiling GFLOP/s, both taken in the same round. */
export function shareOfCeiling(encoderGflops: readonly number[], ceilingGflops: readonly number[]): number {
  return median(encoderGflops.map((g, i) => g / (ceilingGflops[i] ?? Number.NaN)).filter(Number.isFinite));
}
