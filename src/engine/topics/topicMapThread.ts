/**
 * Runs topicMap.worker.ts for one request and resolves with its map. The worker holds no native
 * resources, so ending it on error is safe (unlike the ONNX engine worker).
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { TopicMapResult } from '../../shared/engineProtocol';
import { packageRoot } from '../node/packageRoot';
import type { RefreshOptions, TopicInputs } from './topicMap';
import type { TopicWorkerInput } from './topicMap.worker';

export function topicMapInThread(inputs: TopicInputs, dbDir: string, table: string, options: RefreshOptions): Promise<TopicMapResult> {
  const dims = inputs.vectors[0]?.length ?? 0;
  const flat = new Float32Array(inputs.vectors.length * dims);
  inputs.vectors.forEach((v, i) => flat.set(v, i * dims));
  const workerData: TopicWorkerInput = { papers: inputs.papers, vectors: flat, dims, dbDir, table, options };
  const worker = new Worker(path.join(packageRoot(), 'dist', 'topics.js'), { workerData, transferList: [flat.buffer] });
  return new Promise((resolve, reject) => {
    worker.once('message', (m: { ok: boolean; map?: TopicMapResult; error?: string }) => {
      if (m.ok && m.map) resolve(m.map);
      else reject(new Error(`topic map failed: ${m.error ?? 'no result'}`));
    });
    worker.once('error', (e) => reject(new Error(`topic map failed: ${e.message}`)));
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`topic map thread exited with code ${code}`));
    });
  });
}
