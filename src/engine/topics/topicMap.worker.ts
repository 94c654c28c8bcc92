/**
 * Computes the topic map off the engine thread: k-means, labels and UMAP take tens of seconds at
 * 75k papers, and searches and hovers must keep answering meanwhile. Pure computation (no ONNX, no
 * LanceDB), started per request with its inputs in workerData; vectors arrive as one transferred buffer.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { TopicPaper } from '../../core/clustering/topicMapModel';
import { topicMapResult, updateSavedTopicMap, type RefreshOptions } from './topicMap';
import { lowerBackgroundThreadPriority } from '../server/threadPriority';

export interface TopicWorkerInput {
  papers: TopicPaper[];
  /** All vectors back to back, `dims` floats each. */
  vectors: Float32Array;
  dims: number;
  dbDir: string;
  table: string;
  options: RefreshOptions;
}

const input = workerData as TopicWorkerInput;
lowerBackgroundThreadPriority();
try {
  const vectors = Array.from({ length: input.papers.length }, (_, i) => input.vectors.subarray(i * input.dims, (i + 1) * input.dims));
  const map = updateSavedTopicMap({ papers: input.papers, vectors }, input.dbDir, input.table, input.options);
  parentPort?.postMessage({ ok: true, map: topicMapResult(map) });
} catch (e) {
  parentPort?.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e) });
}
