/**
 * A model folder in Hugging Face layout (config.json, tokenizer.json, tokenizer_config.json,
 * onnx/model.onnx). Bundled models (models/<id>) and downloaded ones (the model cache) are read by
 * this one function, so both go through the same code path.
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../node/packageRoot';

export const DEFAULT_ENCODER_ID = 'atlas-mini-encoder';
export const DEFAULT_MLM_ID = 'atlas-mini-mlm';

export interface ModelSettings {
  id: string;
  dir: string;
  onnxPath: string;
  pooling: 'mean' | 'cls';
  maxTokens: number;
  queryPrefix: string;
  documentPrefix: string;
  hiddenSize: number;
  tokenizerJson: object;
  tokenizerConfig: object;
}

/** Where downloaded models are installed; overridable for tests and portable setups. */
export function modelCacheDir(): string {
  return process.env.PAPER_ATLAS_MODEL_CACHE ?? path.join(os.homedir(), '.cache', 'paper-atlas', 'models');
}

/** A model id is a bundled folder name, a cached download, or a path to a folder. */
export function resolveModelDir(idOrPath: string): string {
  const candidates = [
    path.join(packageRoot(), 'models', idOrPath),
    path.join(modelCacheDir(), idOrPath.replace(/\//g, '--')),
    path.resolve(idOrPath),
  ];
  for (const dir of candidates) if (existsSync(path.join(dir, 'config.json'))) return dir;
  throw new Error(`model "${idOrPath}" not found (looked in ${candidates.join(', ')}); run "paper-atlas models list"`);
}

function readJson(file: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function stringOr(v: unknown, fallback: string): string {
  return typeof v === 'string' ? v : fallback;
}

function numberOr(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

export function loadModelSettings(idOrPath: string): ModelSettings {
  const dir = resolveModelDir(idOrPath);
  const config = readJson(path.join(dir, 'config.json'));
  const tokenizerJson = readJson(path.join(dir, 'tokenizer.json'));
  const configPath = path.join(dir, 'tokenizer_config.json');
  const tokenizerConfig = existsSync(configPath) ? readJson(configPath) : {};
  const onnxFile = stringOr(config.onnx_file, 'onnx/model.onnx');
  const onnxPath = path.join(dir, onnxFile);
  if (!existsSync(onnxPath)) throw new Error(`model "${idOrPath}" has no ONNX file at ${onnxPath}`);
  const pooling = config.pooling === 'cls' ? 'cls' : 'mean';
  return {
    id: stringOr(config.atlas_id, path.basename(dir)),
    dir,
    onnxPath,
    pooling,
    maxTokens: Math.min(numberOr(config.max_tokens, 512), numberOr(config.max_position_embeddings, 512)),
    queryPrefix: stringOr(config.query_prefix, ''),
    documentPrefix: stringOr(config.document_prefix, ''),
    hiddenSize: numberOr(config.hidden_size, 0),
    tokenizerJson,
    tokenizerConfig,
  };
}
