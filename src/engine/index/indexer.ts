/**
 * Incremental indexing: read library files, work out what changed against the store, embed only
 * papers whose content hash is new, and write in chunks so an interrupted run resumes instead of
 * starting over (rows already written carry their hash and are not embedded again). The result is
 * always what indexing the same files from scratch gives, ids included.
 *
 * Folder src/engine/index/: the indexer, the library files it reads and the index folder lock.
 * Engine process only.
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { mergePapers, readLibraryFile } from '../../core/ingest/libraryReader';
import { normaliseTitle } from '../../core/paperIdentity';
import type { IngestDiagnostic, Paper, ParseResult } from '../../shared/paper';
import type { IndexProgress, IndexSummary } from '../../shared/engineProtocol';
import { tableSideFile } from '../store/tableSideFiles';
import type { PaperStore, RowSummary, StoredRow } from '../store/paperStore';
import type { TextEncoder } from '../encoder/textEncoder';
import { writeJsonAtomic } from '../node/atomicFile';

export interface IndexOptions {
  onProgress?: (p: IndexProgress) => void;
  isCancelled?: () => boolean;
  log?: (line: string) => void;
  /** Papers embedded and written per chunk; the unit of resumption after a crash. */
  chunkSize?: number;
  /** Files over this size are skipped with a diagnostic. */
  maxFileBytes?: number;
}

/** What the last complete run found wrong in the files (shown in Problems and by `diagnostics`). */
interface IndexState {
  diagnostics: IngestDiagnostic[];
}

export class IndexCancelled extends Error {
  constructor() {
    super('indexing cancelled');
  }
}

/** The text a paper is embedded and full-text indexed by. */
export function documentText(p: Pick<Paper, 'title' | 'abstract'>): string {
  return p.abstract ? `${p.title}. ${p.abstract}` : p.title;
}

function metaHashOf(p: Paper): string {
  const meta = [p.title, p.authors, p.year ?? null, p.venue ?? '', p.doi ?? '', p.url ?? '', p.arxivId ?? '', p.keywords, p.sources];
  return createHash('sha256').update(JSON.stringify(meta)).digest('hex').slice(0, 16);
}

export function paperToRow(p: Paper, vector: Float32Array | number[]): StoredRow {
  return {
    id: p.id,
    title: p.title,
    abstract: p.abstract,
    authors: JSON.stringify(p.authors),
    year: p.year ?? null,
    venue: p.venue ?? '',
    doi: p.doi ?? '',
    url: p.url ?? '',
    arxivId: p.arxivId ?? '',
    keywords: JSON.stringify(p.keywords),
    sources: JSON.stringify(p.sources),
    contentHash: p.contentHash,
    metaHash: metaHashOf(p),
    normTitle: normaliseTitle(p.title),
    text: documentText(p),
    vector: Array.from(vector),
  };
}

/** What a file's parse result is valid for: the same bytes, as far as the file system tells. */
interface FileStamp {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  maxBytes: number | undefined;
}

const sameStamp = (a: FileStamp, b: FileStamp): boolean =>
  a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino && a.maxBytes === b.maxBytes;

/**
 * Source bytes whose parse results one engine keeps between runs. Every run merges every file, so a
 * save in one file of a library would otherwise re-parse all the others (BibTeX reads at roughly
 * 5–15 ms per KB here); one huge dump beyond this is read again instead of held in memory for good.
 */
const PARSE_CACHE_BYTES = 64 * 1024 * 1024;

export class StateFile {
  private readonly parsed = new Map<string, { stamp: FileStamp; result: ParseResult }>();
  private parsedBytes = 0;

  constructor(private readonly file: string) {}

  /** The parse result of a file unchanged since this engine last read it (never mutated by the indexer). */
  cachedParse(file: string, stamp: FileStamp): ParseResult | undefined {
    const cached = this.parsed.get(file);
    return cached && sameStamp(cached.stamp, stamp) ? cached.result : undefined;
  }

  /** Keeps the parse results of exactly these files (the ones the run read), as far as the budget goes. */
  keepParses(files: ReadonlyMap<string, { stamp: FileStamp; result: ParseResult }>): void {
    this.parsed.clear();
    this.parsedBytes = 0;
    for (const [file, entry] of files) {
      if (this.parsedBytes + entry.stamp.size > PARSE_CACHE_BYTES) continue;
      this.parsed.set(file, entry);
      this.parsedBytes += entry.stamp.size;
    }
  }

  read(): IndexState {
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<IndexState>;
      return { diagnostics: parsed.diagnostics ?? [] };
    } catch {
      return { diagnostics: [] };
    }
  }

  clear(): void {
    rmSync(this.file, { force: true });
    this.parsed.clear();
    this.parsedBytes = 0;
  }

  /** Write-then-rename: a crash leaves the old state, never half a file. */
  write(state: IndexState): void {
    writeJsonAtomic(this.file, state);
  }
}

export function stateFileFor(dbDir: string, tableName: string): StateFile {
  return new StateFile(tableSideFile(dbDir, tableName, 'state'));
}

/** One paper the run writes: `vectorFrom` names the stored row whose vector it keeps, when one has its text. */
interface PlannedWrite {
  paper: Paper;
  vectorFrom: string | undefined;
  /** An id the store already holds (an update) rather than a new one. */
  replaces: boolean;
}

/**
 * Indexes exactly `files`: afterwards the store holds the papers a from-scratch index of these files
 * would hold, with the same ids. Which papers exist and what their ids are is decided by reading and
 * merging every file (mergePapers, in path order), never by matching against what the store held,
 * because the duplicate-key renaming and the cross-file merge only give stable answers when they see
 * every file. Incremental indexing saves the expensive part: a paper whose text (content hash) is
 * already stored keeps that vector, under its own id or another (a renamed citation key), and is not
 * embedded again. Papers of files no longer passed (deleted, excluded, narrowed globs) leave the index.
 */
export async function indexFiles(
  files: readonly string[],
  store: PaperStore,
  encoder: TextEncoder,
  stateFile: StateFile,
  options: IndexOptions = {},
): Promise<IndexSummary> {
  const started = Date.now();
  const report = (p: IndexProgress): void => options.onProgress?.(p);
  const checkCancelled = (): void => {
    if (options.isCancelled?.()) throw new IndexCancelled();
  };
  // Path order, not the caller's: the first file to use a citation key keeps it, in every run.
  const ordered = [...new Set(files)].sort();
  const summary: IndexSummary = {
    files: ordered.length,
    filesRead: 0,
    added: 0,
    updated: 0,
    unchanged: 0,
    removed: 0,
    skippedFiles: 0,
    embedded: 0,
    diagnostics: 0,
    papers: 0,
    seconds: 0,
    provider: encoder.provider,
    model: encoder.settings.id,
  };

  // 1. Read every file (unchanged ones from this engine's parse cache). A file that vanished since
  // discovery holds no papers now.
  const stamps = new Map<string, FileStamp>();
  for (const file of ordered) {
    try {
      const st = statSync(file);
      stamps.set(file, { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino, maxBytes: options.maxFileBytes });
    } catch {
      // gone: its papers leave the index below
    }
  }
  const results: ParseResult[] = [];
  const parses = new Map<string, { stamp: FileStamp; result: ParseResult }>();
  let bytesDone = 0;
  const bytesTotal = [...stamps.values()].reduce((a, b) => a + b.size, 0);
  let papersFound = 0;
  let fileIndex = 0;
  for (const [file, stamp] of stamps) {
    checkCancelled();
    let result = stateFile.cachedParse(file, stamp);
    if (result === undefined) {
      report({ phase: 'reading', done: bytesDone, total: bytesTotal, message: path.basename(file), filesDone: fileIndex, filesTotal: stamps.size, papersFound });
      result = await readLibraryFile(file, options.maxFileBytes !== undefined ? { maxBytes: options.maxFileBytes } : {});
      summary.filesRead++;
    }
    fileIndex++;
    papersFound += result.papers.length;
    results.push(result);
    parses.set(file, { stamp, result });
    if (result.papers.length === 0 && result.diagnostics.some((d) => d.line === 0)) summary.skippedFiles++;
    bytesDone += stamp.size;
  }
  stateFile.keepParses(parses);
  const merged = mergePapers(results);

  // 2. Compare with the store, by id only.
  report({ phase: 'comparing', done: 0, total: merged.papers.length });
  const rowsById = new Map<string, RowSummary[]>();
  for (const row of await store.summaries()) {
    const same = rowsById.get(row.id);
    if (same) same.push(row);
    else rowsById.set(row.id, [row]);
  }
  // Two rows with one id (left by an older version, or by hand) would make every merge insert on that id
  // fail: they are deleted and the paper written again, so such an index heals instead of staying stuck.
  const duplicated = [...rowsById].filter(([, rows]) => rows.length > 1).map(([id]) => id);
  const storedRow = (id: string): RowSummary | undefined => {
    const rows = rowsById.get(id);
    return rows?.length === 1 ? rows[0] : undefined;
  };
  // A stored vector can be lent to a paper with the same text only when this run does not overwrite its
  // row with other text first.
  const rewritten = new Set(merged.papers.filter((p) => (storedRow(p.id)?.contentHash ?? p.contentHash) !== p.contentHash).map((p) => p.id));
  const vectorOf = new Map<string, string>();
  for (const [id, rows] of rowsById) if (rows.length === 1 && rows[0] && !rewritten.has(id)) vectorOf.set(rows[0].contentHash, id);

  const reuse: PlannedWrite[] = [];
  const toEmbed: PlannedWrite[] = [];
  const current = new Set<string>();
  for (const paper of merged.papers) {
    current.add(paper.id);
    const row = storedRow(paper.id);
    if (row && row.contentHash === paper.contentHash && row.metaHash === metaHashOf(paper)) {
      summary.unchanged++;
      continue;
    }
    const ownVector = row?.contentHash === paper.contentHash ? row.id : undefined;
    const planned: PlannedWrite = { paper, vectorFrom: ownVector ?? vectorOf.get(paper.contentHash), replaces: row !== undefined };
    (planned.vectorFrom === undefined ? toEmbed : reuse).push(planned);
  }
  const toDelete = [...rowsById.keys()].filter((id) => !current.has(id));

  // 3. Write. Every id is written at most once per run (merged ids are unique), so no merge insert sees
  // two rows with one id. Papers whose text is stored keep its vector, in chunks (bounded memory).
  if (duplicated.length > 0) {
    options.log?.(`repairing ${duplicated.length} ids stored more than once (${duplicated.slice(0, 3).join(', ')}${duplicated.length > 3 ? ', …' : ''})`);
    await store.deleteIds(duplicated);
  }
  const chunkSize = options.chunkSize ?? 1024;
  const write = async (planned: readonly PlannedWrite[], vectors: (p: PlannedWrite, i: number) => Float32Array | number[] | undefined): Promise<PlannedWrite[]> => {
    const fresh: StoredRow[] = [];
    const replacing: StoredRow[] = [];
    const missing: PlannedWrite[] = [];
    planned.forEach((p, i) => {
      const vector = vectors(p, i);
      if (vector === undefined) missing.push(p);
      else (p.replaces ? replacing : fresh).push(paperToRow(p.paper, vector));
    });
    await store.add(fresh);
    await store.upsert(replacing);
    summary.added += fresh.length;
    summary.updated += replacing.length;
    return missing;
  };
  if (reuse.length > 0) report({ phase: 'writing', done: 0, total: reuse.length });
  for (let i = 0; i < reuse.length; i += chunkSize) {
    checkCancelled();
    const chunk = reuse.slice(i, i + chunkSize);
    const stored = await store.vectors([...new Set(chunk.map((p) => p.vectorFrom ?? ''))]);
    // A vector that could not be read back is computed again rather than lost.
    toEmbed.push(...(await write(chunk, (p) => stored.get(p.vectorFrom ?? ''))));
    report({ phase: 'writing', done: Math.min(i + chunkSize, reuse.length), total: reuse.length });
  }

  // 4. Embed and write in chunks (resumable: a written chunk is stored text next time), overlapping each
  // chunk's write with the next chunk's encoding.
  let pendingWrite: Promise<unknown> = Promise.resolve();
  try {
    for (let i = 0; i < toEmbed.length; i += chunkSize) {
      checkCancelled();
      const chunk = toEmbed.slice(i, i + chunkSize);
      const vectors = await encoder.encode(
        chunk.map((p) => documentText(p.paper)),
        'document',
        (done) => report({ phase: 'embedding', done: i + done, total: toEmbed.length }),
      );
      await pendingWrite;
      summary.embedded += chunk.length;
      pendingWrite = write(chunk, (_p, j) => vectors[j]).then((missing) => {
        if (missing.length > 0) throw new Error(`the encoder returned ${vectors.length} vectors for ${chunk.length} texts`);
      });
    }
  } finally {
    // A cancelled or failed run still finishes the chunk it was writing, so that work is kept.
    await pendingWrite;
  }
  if (toDelete.length > 0) await store.deleteIds(toDelete);
  summary.removed = toDelete.length;

  // 5. Indices and compaction, then the run's diagnostics.
  report({ phase: 'optimising', done: 0, total: 1 });
  await store.maintain(options.log);
  stateFile.write({ diagnostics: merged.diagnostics });
  summary.diagnostics = merged.diagnostics.length;
  summary.papers = await store.count();
  summary.seconds = (Date.now() - started) / 1000;
  report({ phase: 'done', done: 1, total: 1 });
  return summary;
}

export function storedDiagnostics(stateFile: StateFile): IngestDiagnostic[] {
  return stateFile.read().diagnostics;
}
