// Do two encoder graphs compute the same thing? Runs both on the same padded batch of random token ids
// and prints the largest difference of last_hidden_state over real (unpadded) tokens, and of the
// mean-pooled, normalised vectors the engine would store.
// Usage: node models/training/compare_onnx.mjs A.onnx B.onnx [batch=16] [seq=128]
import path from 'node:path';
import { createRequire } from 'node:module';

// onnxruntime-node starts Microsoft telemetry when it loads unless this is set first (src/engine/encoder/onnxTelemetry.ts).
process.env.ORT_DISABLE_TELEMETRY = '1';
const require = createRequire(import.meta.url);
const ort = require(require.resolve('onnxruntime-node', { paths: [path.resolve(import.meta.dirname, '..', '..')] }));

const [a, b, batchArg = '16', seqArg = '128'] = process.argv.slice(2);
const B = Number(batchArg);
const S = Number(seqArg);
const ids = new BigInt64Array(B * S);
const mask = new BigInt64Array(B * S);
const lengths = [];
for (let r = 0; r < B; r++) {
  const len = r === 0 ? S : 4 + Math.floor(Math.random() * (S - 4));
  lengths.push(len);
  for (let t = 0; t < len; t++) {
    ids[r * S + t] = t === 0 ? 101n : t === len - 1 ? 102n : BigInt(1000 + Math.floor(Math.random() * 28000));
    mask[r * S + t] = 1n;
  }
}
const feeds = () => ({
  input_ids: new ort.Tensor('int64', ids, [B, S]),
  attention_mask: new ort.Tensor('int64', mask, [B, S]),
  token_type_ids: new ort.Tensor('int64', new BigInt64Array(B * S), [B, S]),
});
async function run(file) {
  const session = await ort.InferenceSession.create(file, { intraOpNumThreads: 2, graphOptimizationLevel: 'all' });
  const out = await session.run(feeds());
  return out.last_hidden_state;
}
const [x, y] = [await run(a), await run(b)];
const H = x.dims[2];
let maxToken = 0;
let maxVector = 0;
let minCos = 1;
for (let r = 0; r < B; r++) {
  const va = new Float64Array(H);
  const vb = new Float64Array(H);
  for (let t = 0; t < lengths[r]; t++) {
    for (let h = 0; h < H; h++) {
      const i = (r * S + t) * H + h;
      maxToken = Math.max(maxToken, Math.abs(x.data[i] - y.data[i]));
      va[h] += x.data[i];
      vb[h] += y.data[i];
    }
  }
  const norm = (v) => Math.sqrt(v.reduce((s, q) => s + q * q, 0));
  const [na, nb] = [norm(va), norm(vb)];
  let dot = 0;
  for (let h = 0; h < H; h++) {
    maxVector = Math.max(maxVector, Math.abs(va[h] / na - vb[h] / nb));
    dot += (va[h] / na) * (vb[h] / nb);
  }
  minCos = Math.min(minCos, dot);
}
console.log(JSON.stringify({ a: path.basename(a), b: path.basename(b), batch: B, seq: S, maxTokenDiff: maxToken, maxVectorDiff: maxVector, minCosine: minCos }));
