// Smoke test of the shipped MLM: top-5 predictions for [MASK] with tokenizer.json + onnxruntime-node.
// Usage: node models/training/mlm_smoke.mjs models/atlas-mini-mlm
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { Tokenizer } from "@huggingface/tokenizers";
// onnxruntime-node starts Microsoft telemetry when it loads unless this is set first (see src/engine/encoder/onnxTelemetry.ts).
process.env.ORT_DISABLE_TELEMETRY = "1";
const ort = createRequire(import.meta.url)("onnxruntime-node");
const dir = process.argv[2];
const tok = new Tokenizer(JSON.parse(fs.readFileSync(path.join(dir, "tokenizer.json"), "utf8")), JSON.parse(fs.readFileSync(path.join(dir, "tokenizer_config.json"), "utf8")));
const sess = await ort.InferenceSession.create(path.join(dir, "onnx", "model.onnx"), { intraOpNumThreads: 2 });
for (const s of ["we propose a new [MASK] network for image segmentation .", "large language [MASK] are evaluated on machine translation benchmarks .", "the [MASK] descent algorithm converges to a stationary point ."]) {
  const ids = tok.encode(s).ids;
  const L = ids.length, V = 30522;
  const feeds = { input_ids: new ort.Tensor("int64", BigInt64Array.from(ids.map(BigInt)), [1, L]), attention_mask: new ort.Tensor("int64", new BigInt64Array(L).fill(1n), [1, L]), token_type_ids: new ort.Tensor("int64", new BigInt64Array(L), [1, L]) };
  const t = performance.now();
  const out = (await sess.run(feeds)).logits;
  const ms = performance.now() - t;
  const p = ids.indexOf(103);
  const row = Array.from(out.data.slice(p * V, (p + 1) * V));
  const top = row.map((v, i) => [v, i]).sort((a, b) => b[0] - a[0]).slice(0, 5).map(([, i]) => tok.id_to_token(i));
  console.log(s, "->", top.join(" "), `(${ms.toFixed(1)} ms, dims ${out.dims})`);
}
