/**
 * Runs documentFrequency.worker.ts (dist/documentFrequency.js) for one library and resolves with its
 * table. The worker holds no native resources, so ending it on error is safe.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { DocumentFrequencyTable } from '../../core/keywords/documentFrequency';
import { packageRoot } from '../node/packageRoot';
import type { DocumentFrequencyWorkerInput, DocumentFrequencyWorkerOutput, TextsWanted } from './documentFrequency.worker';

/** `texts` is called only when the saved table is stale (the worker asks for them). */
export function documentFrequencyInThread(input: DocumentFrequencyWorkerInput, texts: () => string[]): Promise<{ table: DocumentFrequencyTable; source: 'saved' | 'counted' }> {
  const worker = new Worker(path.join(packageRoot(), 'dist', 'documentFrequency.js'), { workerData: input });
  return new Promise((resolve, reject) => {
    worker.on('message', (m: DocumentFrequencyWorkerOutput | TextsWanted) => {
      if ('wantTexts' in m) {
        worker.postMessage(texts());
        return;
      }
      if (m.ok && m.counts) resolve({ table: DocumentFrequencyTable.fromCounts(m.documents ?? 0, m.floor ?? 0, m.counts), source: m.source ?? 'counted' });
      else reject(new Error(`keyword document frequencies failed: ${m.error ?? 'no result'}`));
    });
    worker.once('error', (e) => reject(new Error(`keyword document frequencies failed: ${e.message}`)));
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`keyword document frequency thread exited with code ${code}`));
    });
  });
}
