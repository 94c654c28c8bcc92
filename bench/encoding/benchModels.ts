/**
 * The model folders the encoding benchmark runs on, laid out so that both engines read the very
 * same ONNX files: transformers.js picks `onnx/model.onnx` for fp32 and `onnx/model_int8.onnx` for
 * int8; our TextEncoder is pointed at the same two files.
 *
 * - atlas-mini-encoder: the bundled model (its fp32 and int8 files copied from models/).
 * - minilm-shape: a BERT with all-MiniLM-L6's shape (6 layers, hidden 384, 12 heads, FFN 1536,
 *   vocab 30522) and random weights — the FLOPs of the real thing, exported by
 *   models/training/export_onnx.py and quantised by models/training/quantize_int8.py, which need
 *   Debian's python3-torch and python3-onnx. Without them that model is skipped, with the reason.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../src/engine/node/packageRoot';

export interface BenchModel {
  name: string;
  dir: string;
  /** Multiply-adds ×2 per token of the encoder stack at ~230 tokens (embeddings excluded). */
  mflopPerToken: number;
  /** Hidden size and FFN width: the shape of the GEMM the ceiling is measured on. */
  hidden: number;
  ffn: number;
}

/** Embedded corpora and model copies, reused across runs; $PAPER_ATLAS_BENCH_CACHE moves it. */
export function benchCacheDir(): string {
  return process.env.PAPER_ATLAS_BENCH_CACHE ?? path.join(packageRoot(), 'node_modules', '.cache', 'paper-atlas-bench');
}

const MAX_TOKENS = 256;

/** FLOPs per token of a BERT encoder: 4 H² (attention projections) + 2 H F (FFN) + 2 T H (scores and mixing), ×2 per MAC. */
export function bertMflopPerToken(layers: number, hidden: number, ffn: number, tokens: number): number {
  return (layers * 2 * (4 * hidden * hidden + 2 * hidden * ffn + 2 * tokens * hidden)) / 1e6;
}

function writeTokenizerFiles(dir: string, maxTokens = MAX_TOKENS): void {
  const source = path.join(packageRoot(), 'models', 'atlas-mini-encoder');
  for (const f of ['tokenizer.json', 'special_tokens_map.json', 'vocab.txt']) copyFileSync(path.join(source, f), path.join(dir, f));
  // transformers.js truncates at model_max_length: the same number of tokens our encoder keeps.
  const config = JSON.parse(readFileSync(path.join(source, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ ...config, model_max_length: maxTokens }, null, 2));
}

/**
 * The bundled encoder. Its shipped graph (models/training/combine_onnx.py) returns a transformer's vector
 * (first `transformer_tokens` tokens) and a static table's side by side, pooled in the graph; this
 * benchmark is about the transformer, the part that costs, and transformers.js reads token states. So
 * the copy here is the transformer half cut out of the shipped files (python3-onnx), reading at most
 * `transformer_tokens` tokens, so that every token counted is one the transformer sees.
 */
function bundledEncoder(log: (line: string) => void): BenchModel | undefined {
  const dir = path.join(benchCacheDir(), 'models', 'atlas-mini-encoder');
  const source = path.join(packageRoot(), 'models', 'atlas-mini-encoder');
  mkdirSync(path.join(dir, 'onnx'), { recursive: true });
  const config = JSON.parse(readFileSync(path.join(source, 'config.json'), 'utf8')) as Record<string, unknown>;
  const transformerTokens = typeof config.transformer_tokens === 'number' ? config.transformer_tokens : undefined;
  const maxTokens = Math.min(MAX_TOKENS, transformerTokens ?? MAX_TOKENS);
  writeTokenizerFiles(dir, maxTokens);
  const files: [string, string][] = [
    [path.join(source, 'onnx', 'model_fp32.onnx'), path.join(dir, 'onnx', 'model.onnx')],
    [path.join(source, 'onnx', 'model.onnx'), path.join(dir, 'onnx', 'model_int8.onnx')],
  ];
  if (transformerTokens === undefined) {
    for (const [from, to] of files) copyFileSync(from, to);
  } else {
    const python = pythonWithTorch();
    if (!python) {
      log('skipped the bundled encoder: cutting its transformer out of the combined graph needs python3 with onnx (Debian: apt-get install python3-onnx)');
      return undefined;
    }
    const training = path.join(packageRoot(), 'models', 'training');
    for (const [from, to] of files) execFileSync(python, ['combine_onnx.py', '--cut', from, to], { cwd: training, stdio: 'inherit' });
  }
  const { onnx_outputs: _outputs, ...rest } = config;
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...rest, onnx_file: 'onnx/model.onnx', max_tokens: maxTokens }, null, 2));
  const layers = Number(config.num_hidden_layers);
  const hidden = Number(config.hidden_size);
  const ffn = Number(config.intermediate_size);
  const name = `atlas-mini-encoder (bundled, ${layers}L/${hidden}${transformerTokens ? `, its transformer at ≤ ${maxTokens} tokens` : ''})`;
  return { name, dir, mflopPerToken: bertMflopPerToken(layers, hidden, ffn, Math.min(230, maxTokens)), hidden, ffn };
}

/** Debian's python3-torch lives in the system Python, which a pyenv or venv `python3` on PATH hides. */
function pythonWithTorch(): string | undefined {
  for (const candidate of ['/usr/bin/python3', 'python3']) {
    try {
      execFileSync(candidate, ['-c', 'import torch, onnx, numpy'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // not this one
    }
  }
  return undefined;
}

/** The MiniLM-L6-shaped model, built once into the cache; undefined (with a printed reason) when Python lacks torch/onnx. */
function miniLmShape(log: (line: string) => void): BenchModel | undefined {
  const dir = path.join(benchCacheDir(), 'models', 'minilm-shape');
  const fp32 = path.join(dir, 'onnx', 'model.onnx');
  const int8 = path.join(dir, 'onnx', 'model_int8.onnx');
  const model: BenchModel = { name: 'MiniLM-L6 shape (6L/384/12h/1536, random weights)', dir, mflopPerToken: bertMflopPerToken(6, 384, 1536, 230), hidden: 384, ffn: 1536 };
  if (existsSync(fp32) && existsSync(int8)) return model;
  const training = path.join(packageRoot(), 'models', 'training');
  const python = pythonWithTorch();
  if (!python) {
    log('skipped the MiniLM-shaped model: building it needs python3 with torch and onnx (Debian: apt-get install python3-torch python3-onnx)');
    return undefined;
  }
  mkdirSync(path.join(dir, 'onnx'), { recursive: true });
  log('building the MiniLM-shaped model (random weights) once into the bench cache');
  execFileSync(python, ['export_onnx.py', '--kind', 'encoder', '--random', '6,384,12,1536', '--out', fp32], { cwd: training, stdio: 'inherit' });
  execFileSync(python, ['quantize_int8.py', fp32, int8], { cwd: training, stdio: 'inherit' });
  writeTokenizerFiles(dir);
  const config = {
    architectures: ['BertModel'],
    model_type: 'bert',
    vocab_size: 30522,
    hidden_size: 384,
    num_hidden_layers: 6,
    num_attention_heads: 12,
    intermediate_size: 1536,
    max_position_embeddings: 512,
    type_vocab_size: 2,
    pooling: 'mean',
    normalize: true,
    max_tokens: MAX_TOKENS,
    onnx_file: 'onnx/model.onnx',
  };
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config, null, 2));
  return model;
}

/** The int8 file with mean pooling + L2 appended in the graph (models/training/add_mean_pooling.py), where Python can make it. */
function addPooledVariant(model: BenchModel, log: (line: string) => void): void {
  const pooled = path.join(model.dir, POOLED_INT8_FILE);
  if (existsSync(pooled)) return;
  const python = pythonWithTorch();
  if (!python) return log(`no in-graph pooling variant of ${model.name}: needs python3 with onnx`);
  execFileSync(python, ['add_mean_pooling.py', path.join(model.dir, 'onnx', 'model_int8.onnx'), pooled], {
    cwd: path.join(packageRoot(), 'models', 'training'),
    stdio: 'inherit',
  });
}

export const POOLED_INT8_FILE = 'onnx/model_int8_pooled.onnx';

export function benchModels(log: (line: string) => void): BenchModel[] {
  const mini = miniLmShape(log);
  const bundled = bundledEncoder(log);
  const models = [...(bundled ? [bundled] : []), ...(mini ? [mini] : [])];
  for (const m of models) addPooledVariant(m, log);
  return models;
}
