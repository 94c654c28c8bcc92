// End-to-end embedding of the held-out arXiv split exactly as the extension would do it:
// tokenizer.json (@huggingface/tokenizers) -> truncation to config.max_tokens -> onnxruntime-node
// (2 intra-op threads, batches of 32 sorted by length) -> mean pooling over attention_mask.
// Writes OUT.titles.f32 and OUT.abstracts.f32 (float32, row-major, file order) and prints timings.
// Usage: node models/training/embed_onnx.mjs models/atlas-mini-encoder [onnx/model.onnx] OUT [limit]
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { Tokenizer } from "@huggingface/tokenizers";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "..", "..");
// onnxruntime-node starts Microsoft telemetry when it loads unless this is set first (see src/engine/encoder/onnxTelemetry.ts).
process.env.ORT_DISABLE_TELEMETRY = "1";
const ort = createRequire(import.meta.url)("onnxruntime-node");
const [modelDir, onnxRel, outPrefix, limitArg] = process.argv.slice(2);
const cfg = JSON.parse(fs.readFileSync(path.join(modelDir, "config.json"), "utf8"));
const tok = new Tokenizer(JSON.parse(fs.readFileSync(path.join(modelDir, "tokenizer.json"), "utf8")),
  JSON.parse(fs.readFileSync(path.join(modelDir, "tokenizer_config.json"), "utf8")));
const maxTokens = cfg.max_tokens ?? 256;
const sess = await ort.InferenceSession.create(path.join(modelDir, onnxRel || cfg.onnx_file || "onnx/model.onnx"),
  { intraOpNumThreads: 2, interOpNumThreads: 1, graphOptimizationLevel: "all",
    ...(process.env.NOSPIN ? { extra: { session: { intra_op: { allow_spinning: "0" } } } } : {}) });

const recs = [];
const rl = readline.createInterface({ input: fs.createReadStream(path.resolve(repo, "..", "shared", "data", "arxiv", "arxiv-listings.jsonl.gz")).pipe(zlib.createGunzip()) });
for await (const line of rl) {
  if (!line.trim()) continue;
  const r = JSON.parse(line);
  if ((r.listed || "") >= "2026-06-01") recs.push(r);
}
const limit = limitArg ? +limitArg : recs.length;
const H = cfg.hidden_size;

function encodeIds(text, max) {
  let ids = tok.encode(text || "").ids;
  if (ids.length > max) ids = [...ids.slice(0, max - 1), 102];
  return ids;
}

async function embed(texts, max) {
  const t0 = performance.now();
  const seqs = texts.map((t) => encodeIds(t, max));
  const t1 = performance.now();
  const order = seqs.map((s, i) => i).sort((a, b) => seqs[a].length - seqs[b].length);
  const out = new Float32Array(texts.length * H);
  let ntok = 0;
  for (let s = 0; s < order.length; s += 32) {
    const idx = order.slice(s, s + 32);
    const L = Math.max(...idx.map((i) => seqs[i].length));
    const B = idx.length;
    const ids = new BigInt64Array(B * L), att = new BigInt64Array(B * L), tt = new BigInt64Array(B * L);
    idx.forEach((i, r) => seqs[i].forEach((v, c) => { ids[r * L + c] = BigInt(v); att[r * L + c] = 1n; }));
    const res = await sess.run({ input_ids: new ort.Tensor("int64", ids, [B, L]), attention_mask: new ort.Tensor("int64", att, [B, L]), token_type_ids: new ort.Tensor("int64", tt, [B, L]) });
    const h = res.last_hidden_state.data;
    idx.forEach((i, r) => {
      const n = seqs[i].length; ntok += n;
      for (let c = 0; c < n; c++) for (let d = 0; d < H; d++) out[i * H + d] += h[(r * L + c) * H + d] / n;
    });
  }
  const t2 = performance.now();
  return { out, tokSec: (t1 - t0) / 1000, inferSec: (t2 - t1) / 1000, ntok };
}

const n = Math.min(limit, recs.length);
const a = await embed(recs.slice(0, n).map((r) => r.abstract), maxTokens);
const t = await embed(recs.slice(0, n).map((r) => r.title), 32);
if (outPrefix && outPrefix !== "-") {
  fs.writeFileSync(outPrefix + ".abstracts.f32", Buffer.from(a.out.buffer));
  fs.writeFileSync(outPrefix + ".titles.f32", Buffer.from(t.out.buffer));
}
console.log(JSON.stringify({ model: path.join(modelDir, onnxRel || cfg.onnx_file), abstracts: n, max_tokens: maxTokens,
  mean_tokens: +(a.ntok / n).toFixed(1), tokenize_s: +a.tokSec.toFixed(2), infer_s: +a.inferSec.toFixed(2),
  abstracts_per_s: +(n / (a.tokSec + a.inferSec)).toFixed(1), titles_per_s: +(n / (t.tokSec + t.inferSec)).toFixed(1) }));
