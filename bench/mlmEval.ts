/**
 * Masked-LM quality on held-out abstracts: masked-token accuracy (15% of word pieces replaced by
 * [MASK], seeded) and pseudo-perplexity (Salazar et al. 2020: each token masked in turn,
 * PPPL = exp(−mean log P(token | rest))).
 */
import { Tokenizer } from '@huggingface/tokenizers';
import * as ort from '../src/engine/encoder/onnxRuntime';
import { CachedWordPieceTokenizer } from '../src/core/cachedTokenizer';
import { seededRandom } from '../src/core/clustering/seededRandom';
import { openSessionWithFallback } from '../src/engine/encoder/executionProviders';
import { loadModelSettings } from '../src/engine/models/modelFolder';
import type { ArxivListing } from './heldOutData';

export interface MaskedLmResult {
  accuracy: number;
  maskedTokens: number;
  accuracyAbstracts: number;
  pseudoPerplexity: number;
  pppTokens: number;
  pppAbstracts: number;
  maxTokens: number;
}

const MAX_TOKENS = 128;

/** Runs a batch of equal-length sequences and returns the logits [batch, seq, vocab]. */
async function logitsFor(session: ort.InferenceSession, rows: number[][]): Promise<{ data: Float32Array; vocab: number }> {
  const width = rows[0]?.length ?? 0;
  const ids = new BigInt64Array(rows.length * width);
  rows.forEach((r, i) => r.forEach((id, j) => (ids[i * width + j] = BigInt(id))));
  const dims = [rows.length, width];
  const feeds: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor('int64', ids, dims),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(ids.length).fill(1n), dims),
  };
  if (session.inputNames.includes('token_type_ids')) feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(ids.length), dims);
  const out = await session.run(feeds);
  const logits = out.logits ?? out[session.outputNames[0] ?? ''];
  if (!logits) throw new Error('the MLM returned no logits');
  return { data: logits.data as Float32Array, vocab: logits.dims[2] ?? 0 };
}

function logSoftmaxAt(data: Float32Array, offset: number, vocab: number, target: number): { logp: number; argmax: number } {
  let max = -Infinity;
  let argmax = 0;
  for (let v = 0; v < vocab; v++) {
    const x = data[offset + v]!;
    if (x > max) {
      max = x;
      argmax = v;
    }
  }
  let sum = 0;
  for (let v = 0; v < vocab; v++) sum += Math.exp(data[offset + v]! - max);
  return { logp: data[offset + target]! - max - Math.log(sum), argmax };
}

export async function evaluateMaskedLm(
  modelId: string,
  papers: readonly ArxivListing[],
  options: { threads: number; accuracyAbstracts?: number; pppAbstracts?: number },
): Promise<MaskedLmResult> {
  const settings = loadModelSettings(modelId);
  const tokenizer = new Tokenizer(settings.tokenizerJson, settings.tokenizerConfig);
  const cls = tokenizer.token_to_id('[CLS]') ?? 101;
  const sep = tokenizer.token_to_id('[SEP]') ?? 102;
  const mask = tokenizer.token_to_id('[MASK]') ?? 103;
  const pieces = new CachedWordPieceTokenizer(tokenizer, cls, sep);
  const { session } = await openSessionWithFallback(settings.onnxPath, ['cpu'], { intraOpNumThreads: options.threads });
  const random = seededRandom(2026);

  // Masked-token accuracy: one pass per abstract with 15% of its pieces masked.
  const accuracyAbstracts = Math.min(options.accuracyAbstracts ?? 300, papers.length);
  let correct = 0;
  let masked = 0;
  for (const p of papers.slice(0, accuracyAbstracts)) {
    const ids = pieces.encode(`${p.title}. ${p.abstract}`, MAX_TOKENS);
    const positions = ids.map((_, i) => i).filter((i) => i > 0 && i < ids.length - 1 && random() < 0.15);
    if (positions.length === 0) continue;
    const input = [...ids];
    for (const i of positions) input[i] = mask;
    const { data, vocab } = await logitsFor(session, [input]);
    for (const i of positions) {
      if (logSoftmaxAt(data, i * vocab, vocab, ids[i]!).argmax === ids[i]) correct++;
      masked++;
    }
  }

  // Pseudo-perplexity: every position masked in turn, batched per abstract.
  const pppAbstracts = Math.min(options.pppAbstracts ?? 50, papers.length);
  let logpSum = 0;
  let pppTokens = 0;
  for (const p of papers.slice(accuracyAbstracts, accuracyAbstracts + pppAbstracts)) {
    const ids = pieces.encode(`${p.title}. ${p.abstract}`, MAX_TOKENS);
    const positions = ids.map((_, i) => i).filter((i) => i > 0 && i < ids.length - 1);
    for (let b = 0; b < positions.length; b += 16) {
      const chunk = positions.slice(b, b + 16);
      const rows = chunk.map((i) => ids.map((id, j) => (j === i ? mask : id)));
      const { data, vocab } = await logitsFor(session, rows);
      chunk.forEach((i, r) => {
        logpSum += logSoftmaxAt(data, (r * ids.length + i) * vocab, vocab, ids[i]!).logp;
        pppTokens++;
      });
    }
  }
  await session.release();
  return {
    accuracy: masked ? correct / masked : 0,
    maskedTokens: masked,
    accuracyAbstracts,
    pseudoPerplexity: Math.exp(-logpSum / Math.max(1, pppTokens)),
    pppTokens,
    pppAbstracts,
    maxTokens: MAX_TOKENS,
  };
}
