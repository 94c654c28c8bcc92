// Throughput / latency of an ONNX model in onnxruntime-node with 2 intra-op threads.
// Usage: [NOSPIN=1] node models/training/bench_onnx.cjs model.onnx [batch=32] [seq=256] [iters=5]
// NOSPIN=1 sets session.intra_op.allow_spinning=0 (better when the 2 cores are busy with other work).
const path = require("node:path");
// onnxruntime-node starts Microsoft telemetry when it loads unless this is set first (see src/engine/encoder/onnxTelemetry.ts).
process.env.ORT_DISABLE_TELEMETRY = "1";
const ort = require(require.resolve("onnxruntime-node", { paths: [path.resolve(__dirname, "..", "..")] }));
(async () => {
  const [file, b = "32", s = "256", it = "5"] = process.argv.slice(2);
  const B = +b, S = +s, N = +it;
  const sess = await ort.InferenceSession.create(file, { intraOpNumThreads: 2, interOpNumThreads: 1, graphOptimizationLevel: "all",
    ...(process.env.NOSPIN ? { extra: { session: { intra_op: { allow_spinning: "0" } } } } : {}) });
  const ids = new BigInt64Array(B * S), mask = new BigInt64Array(B * S).fill(1n), tt = new BigInt64Array(B * S);
  for (let i = 0; i < ids.length; i++) ids[i] = BigInt(1000 + Math.floor(Math.random() * 28000));
  for (let i = 0; i < B; i++) { ids[i * S] = 101n; ids[i * S + S - 1] = 102n; }
  const feeds = { input_ids: new ort.Tensor("int64", ids, [B, S]), attention_mask: new ort.Tensor("int64", mask, [B, S]), token_type_ids: new ort.Tensor("int64", tt, [B, S]) };
  await sess.run(feeds);
  const times = [];
  for (let i = 0; i < N; i++) { const t = process.hrtime.bigint(); await sess.run(feeds); times.push(Number(process.hrtime.bigint() - t) / 1e6); }
  times.sort((x, y) => x - y);
  const med = times[Math.floor(times.length / 2)];
  console.log(JSON.stringify({ file: path.basename(file), nospin: !!process.env.NOSPIN, batch: B, seq: S, median_ms: +med.toFixed(1), p95_ms: +times[Math.min(times.length - 1, Math.floor(times.length * 0.95))].toFixed(1), per_item_s: +(B / (med / 1000)).toFixed(1), inputs: sess.inputNames, outputs: sess.outputNames }));
})();
