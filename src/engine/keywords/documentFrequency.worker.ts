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
  /** `<dbDir>/keywords__df.json` */
  file: string;
  /** Identifies the library the table counts; a saved table with another stamp is counted again. */
  stamp: string;
}

/**
 * Posted when the saved table is stale: the engine answers with the library's texts (string[]). They
 * cross over only then — at 75k papers they are ~90 MB to clone on the engine's thread, for nothing when
 * the saved table (the usual case at engine start) is still right.
 */
export interface TextsWanted {
  wantTexts: true;
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

async function run(input: DocumentFrequencyWorkerInput): Promise<DocumentFrequencyWorkerOutput> {
  let table = savedTable(input.file, input.stamp);
  let source: 'saved' | 'counted' = 'saved';
  if (!table) {
    const texts = await new Promise<string[]>((resolve) => {
      parentPort?.once('message', (m: string[]) => resolve(m));
      parentPort?.postMessage({ wantTexts: true } satisfies TextsWanted);
    });
    table = countDocumentFrequency(texts);
    writeJsonAtomic(input.file, { stamp: input.stamp, table: table.toJSON() });
    source = 'counted';
  }
  return { ok: true, documents: table.documents, floor: table.absentCount, counts: table.counts, source };
}

lowerBackgroundThreadPriority();
run(workerData as DocumentFrequencyWorkerInput).then(
  (out) => parentPort?.postMessage(out),
  (e: unknown) => parentPort?.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e) } satisfies DocumentFrequencyWorkerOutput),
);
