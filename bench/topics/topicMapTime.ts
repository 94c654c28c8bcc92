/** Clustering + labels + 2-D layout time (the topic map from scratch) on real encoder vectors. */
import { performance } from 'node:perf_hooks';
import { computeTopicMap } from '../../src/engine/topics/topicMap';
import type { BenchCorpus } from '../search/benchVectors';

export interface TopicMapTimeResult {
  papers: number;
  clusters: number;
  seconds: number;
}

export function benchTopicMap(corpus: BenchCorpus, n: number): TopicMapTimeResult {
  const papers = corpus.papers.slice(0, n).map((p) => ({ id: p.id, title: p.title, abstract: p.text.slice(p.title.length + 2) }));
  const vectors = papers.map((_, i) => corpus.vectors.subarray(i * corpus.dims, (i + 1) * corpus.dims));
  const t0 = performance.now();
  const map = computeTopicMap(papers, vectors, { clusters: 'auto' });
  return { papers: n, clusters: map.clusters.length, seconds: (performance.now() - t0) / 1000 };
}
