/**
 * Keyword-highlight latency per abstract: the product's path (POS-tag, tokenise, one batched MLM run,
 * features, similarity of the best phrases to the text through the library encoder when the shipped
 * weights use it, diverse top k), uncached, as the engine worker runs it.
 */
import { performance } from 'node:perf_hooks';
import { KeywordScorer } from '../../src/engine/keywords/keywordScorer';
import { TextEncoder } from '../../src/engine/encoder/textEncoder';
import { percentile } from '../stats';

export interface KeywordLatencyResult {
  abstracts: number;
  /** Free text (the editor's paragraph): the text itself is encoded for the similarity feature. */
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** An indexed paper: its stored vector is reused, only the phrases are encoded. */
  indexedP50Ms: number;
  indexedP95Ms: number;
  /** Whether the similarity feature was computed (the shipped weights use it). */
  similarity: boolean;
}

export async function benchKeywordLatency(texts: readonly string[]): Promise<KeywordLatencyResult> {
  const encoder = await TextEncoder.open('atlas-mini-encoder', { providers: ['cpu'], threads: 2 });
  const scorer = await KeywordScorer.open(undefined, { threads: 2, embed: (t) => encoder.encode(t, 'document') });
  await scorer.keywords(texts[0] ?? 'warm up', 10); // the first run allocates ORT's arena: out of the timing
  // As for a paper of the index, the text's vector is stored (computed here, outside the timing).
  // The two paths alternate text by text, so a change in the machine's load hits both alike. This
  // scorer has no surprise cache: the MLM runs for every call.
  const stored = await encoder.encode(texts, 'document');
  const ms: number[] = [];
  const indexed: number[] = [];
  for (const [i, text] of texts.entries()) {
    let t = performance.now();
    await scorer.keywords(text, 10);
    ms.push(performance.now() - t);
    t = performance.now();
    await scorer.keywords(text, 10, stored[i]);
    indexed.push(performance.now() - t);
  }
  const similarity = scorer.weights().similarity !== 0;
  await scorer.release();
  await encoder.release();
  return {
    abstracts: texts.length,
    p50Ms: percentile(ms, 50),
    p95Ms: percentile(ms, 95),
    maxMs: Math.max(...ms),
    indexedP50Ms: percentile(indexed, 50),
    indexedP95Ms: percentile(indexed, 95),
    similarity,
  };
}
