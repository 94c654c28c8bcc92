/**
 * The library's keyword document frequencies, off the engine thread: counting the candidate phrases
 * of 75k abstracts takes 40–80 s on 2 cores, and on the engine thread (in slices of 500 papers) every
 * search, related and hover request waited on it — hovers of 0.2–2.5 s in the real VS Code tier right
 * after a large library was indexed. Pure computation plus one file: it reads the saved table when its
 * stamp matches, else counts and saves it (the JSON of a large table takes a second to write or parse,
 * which stays here too), and posts the counts back as a Map.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { countDocumentFrequency, DocumentFrequencyTable } from '../../core/keywords/documentFrequency';
import { writeJsonAtomic } from '../node/atomicFile';
import { lowerBackgroundThreadPriority } from '../server/threadPriority';

export interface DocumentFrequencyWorkerInput {
  texts: string[];
  /** `<dbDir>/keywords__df.json` */
  file: string;
  /** Identifies the library the table counts; a saved table with another stamp is counted again. */
  stamp: string;
}

export interface DocumentFrequencyWorkerOutput {
  ok: boolean;
  documents?: number;
  floor?: number;
  counts?: Map<string, number>;
  /** 'saved' = read from the file; 'counted' = counted now (and saved). */
  source?: 'saved' | 'counted';
  error?: string;
}

function savedTable(file: string, stamp: string): DocumentFrequencyTable | undefined {
  try {
    if (!existsSync(file)) return undefined;
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { stamp?: unknown; table?: unknown };
    return saved.stamp === stamp ? DocumentFrequencyTable.fromJSON(saved.table) : undefined;
  } catch {
    return undefined; // damaged or from an older version: count again
  }
}

function run(input: DocumentFrequencyWorkerInput): DocumentFrequencyWorkerOutput {
  let table = savedTable(input.file, input.stamp);
  let source: 'saved' | 'counted' = 'saved';
  if (!table) {
    table = countDocumentFrequency(input.texts);
    writeJsonAtomic(input.file, { stamp: input.stamp, table: table.toJSON() });
    source = 'counted';
  }
  return { ok: true, documents: table.documents, floor: table.absentCount, counts: table.counts, source };
}

lowerBackgroundThreadPriority();
try {
  parentPort?.postMessage(run(workerData as DocumentFrequencyWorkerInput));
} catch (e) {
  parentPort?.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e) } satisfies DocumentFrequencyWorkerOutput);
}
