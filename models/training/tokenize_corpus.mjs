// Tokenise every arXiv + ACL record (title and abstract) with the exact tokenizer.json the
// extension uses (@huggingface/tokenizers), so training and inference tokenise identically.
// Output (outside the repo, see common.py): <cache>/tokens.u16 (concatenated ids, no [CLS]/[SEP])
// and <cache>/docs.jsonl (one line per record with offsets into tokens.u16 and split fields).
// Usage: node models/training/tokenize_corpus.mjs
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import { Tokenizer } from "@huggingface/tokenizers";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "..", "..");
const data = path.resolve(repo, "..", "shared", "data");
const modelDir = path.join(repo, "models", "atlas-mini-encoder");
const tok = new Tokenizer(
  JSON.parse(fs.readFileSync(path.join(modelDir, "tokenizer.json"), "utf8")),
  JSON.parse(fs.readFileSync(path.join(modelDir, "tokenizer_config.json"), "utf8")),
);
// same rule as common.py: $ATLAS_TRAIN_CACHE, else <repo>/../cache/training (outside the repository)
const cache = process.env.ATLAS_TRAIN_CACHE || path.resolve(repo, "..", "cache", "training");
fs.mkdirSync(cache, { recursive: true });

let buf = new Uint16Array(1 << 24);
let n = 0;
function push(ids) {
  while (n + ids.length > buf.length) {
    const nb = new Uint16Array(buf.length * 2);
    nb.set(buf);
    buf = nb;
  }
  const start = n;
  for (const id of ids) buf[n++] = id;
  return [start, ids.length];
}
const enc = (s) => tok.encode(s ?? "", { add_special_tokens: false }).ids;

const out = fs.createWriteStream(path.join(cache, "docs.jsonl"));
async function run(file, src) {
  const rl = readline.createInterface({ input: fs.createReadStream(file).pipe(zlib.createGunzip()), crlfDelay: Infinity });
  let k = 0;
  for await (const line of rl) {
    if (!line.trim()) continue;
    const r = JSON.parse(line);
    const rec = src === "arxiv"
      ? { src, id: r.id, cat: (r.categories || [])[0] || "", listed: r.listed || "" }
      : { src, id: r.bibkey, venue: r.venue || "", year: String(r.year || "") };
    rec.title = r.title || "";
    rec.t = push(enc(r.title));
    rec.a = push(enc(r.abstract));
    out.write(JSON.stringify(rec) + "\n");
    if (++k % 20000 === 0) console.log(src, k);
  }
  console.log(src, "done", k);
}
const t0 = Date.now();
await run(path.join(data, "arxiv", "arxiv-listings.jsonl.gz"), "arxiv");
await run(path.join(data, "acl", "acl-anthology.jsonl.gz"), "acl");
out.end();
fs.writeFileSync(path.join(cache, "tokens.u16"), Buffer.from(buf.buffer, 0, n * 2));
console.log("tokens", n, "seconds", (Date.now() - t0) / 1000);
