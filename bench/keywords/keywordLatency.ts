/** Keyword-highlight latency per abstract: the product's path (tokenise, one batched MLM run, rank), uncached. */
import { performance } from 'node:perf_hooks';
import { KeywordScorer } from '../../src/engine/keywordScorer';
import { percentile } from '../stats';

export interface KeywordLatencyResult {
  abstracts: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

export async function benchKeywordLatency(texts: readonly string[]): Promise<KeywordLatencyResult> {
  const scorer = await KeywordScorer.open(undefined, { threads: 2 });
  await scorer.keywords(texts[0] ?? 'warm up', 10); // the first run allocates ORT's arena: out of the timing
  const ms: number[] = [];
  for (const text of texts) {
    const t = performance.now();
    await scorer.keywords(text, 10);
    ms.push(performance.now() - t);
  }
  await scorer.release();
  return { abstracts: texts.length, p50Ms: percentile(ms, 50), p95Ms: percentile(ms, 95), maxMs: Math.max(...ms) };
}
