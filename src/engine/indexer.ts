/**
 * Incremental indexing: read library files, work out what changed against the store, embed only
 * papers whose content hash is new, and write in chunks so an interrupted run resumes instead of
 * starting over (rows already written carry their hash and are not embedded again).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { mergePapers, readLibraryFile } from '../core/ingest/libraryReader';
import { normaliseDoi, normaliseTitle } from '../core/paperIdentity';
import type { IngestDiagnostic, Paper, PaperSource, ParseResult } from '../shared/paper';
import type { IndexProgress, IndexSummary } from '../shared/engineProtocol';
import type { PaperStore, RowSummary, StoredRow } from './paperStore';
import type { TextEncoder } from './textEncoder';

export interface IndexOptions {
  onProgress?: (p: IndexProgress) => void;
  isCancelled?: () => boolean;
  log?: (line: string) => void;
  /** Papers embedded and written per chunk; the unit of resumption after a crash. */
  chunkSize?: number;
  /** Files over this size are skipped with a diagnostic. */
  maxFileBytes?: number;
}

interface FileState {
  size: number;
  mtimeMs: number;
}

interface IndexState {
  files: Record<string, FileState>;
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

function sameSources(a: readonly PaperSource[], b: readonly PaperSource[]): boolean {
  return a.length === b.length && a.every((s, i) => s.file === b[i]?.file && s.line === b[i]?.line);
}

export class StateFile {
  constructor(private readonly file: string) {}

  read(): IndexState {
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<IndexState>;
      return { files: parsed.files ?? {}, diagnostics: parsed.diagnostics ?? [] };
    } catch {
      return { files: {}, diagnostics: [] };
    }
  }

  clear(): void {
    rmSync(this.file, { force: true });
  }

  /** Write-then-rename: a crash leaves the old state, never half a file. */
  write(state: IndexState): void {
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(state));
    renameSync(tmp, this.file);
  }
}

export function stateFileFor(dbDir: string, tableName: string): StateFile {
  return new StateFile(path.join(dbDir, `${tableName}.state.json`));
}

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
  const state = stateFile.read();
  const summary: IndexSummary = {
    files: files.length,
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

  // 1. Which files changed since the last complete run (size + mtime), and which disappeared.
  const changed: string[] = [];
  const fileStats = new Map<string, FileState>();
  for (const file of files) {
    try {
      const st = statSync(file);
      const known = state.files[file];
      fileStats.set(file, { size: st.size, mtimeMs: st.mtimeMs });
      if (!known || known.size !== st.size || known.mtimeMs !== st.mtimeMs) changed.push(file);
    } catch {
      changed.push(file); // vanished between discovery and now: treated as removed below
    }
  }
  // Files that are gone: known from the state of the last complete run, or only from the rows of an
  // interrupted one (a run cancelled after writing a chunk never recorded its file as indexed).
  const summaries = await store.summaries();
  const knownFiles = new Set(Object.keys(state.files));
  for (const row of summaries) for (const s of row.sources) knownFiles.add(s.file);
  const vanished = [...knownFiles].filter((f) => !fileStats.has(f) && !existsSync(f));
  const rereadFiles = new Set([...changed, ...vanished]);

  // 2. Parse what changed.
  const results: ParseResult[] = [];
  let bytesDone = 0;
  const bytesTotal = changed.reduce((s, f) => s + (fileStats.get(f)?.size ?? 0), 0);
  let papersFound = 0;
  for (const [fileIndex, file] of changed.entries()) {
    checkCancelled();
    report({ phase: 'reading', done: bytesDone, total: bytesTotal, message: path.basename(file), filesDone: fileIndex, filesTotal: changed.length, papersFound });
    if (!fileStats.has(file)) continue;
    const result = await readLibraryFile(file, options.maxFileBytes !== undefined ? { maxBytes: options.maxFileBytes } : {});
    results.push(result);
    papersFound += result.papers.length;
    summary.filesRead++;
    if (result.papers.length === 0 && result.diagnostics.some((d) => d.line === 0)) summary.skippedFiles++;
    bytesDone += fileStats.get(file)?.size ?? 0;
  }
  const merged = mergePapers(results);

  // 3. Compare with the store.
  report({ phase: 'comparing', done: 0, total: merged.papers.length });
  const existing = new Map<string, RowSummary>();
  const byKey = new Map<string, string>();
  for (const row of summaries) {
    existing.set(row.id, row);
    if (row.doi) byKey.set(`doi:${normaliseDoi(row.doi) ?? row.doi}`, row.id);
    if (row.arxivId) byKey.set(`arxiv:${row.arxivId}`, row.id);
    if (row.normTitle) byKey.set(`title:${row.normTitle}`, row.id);
  }
  // Sources in re-read files are rebuilt from this run's parse; sources elsewhere are kept.
  const keptSources = new Map<string, PaperSource[]>();
  for (const row of existing.values()) {
    if (row.sources.some((s) => rereadFiles.has(s.file))) keptSources.set(row.id, row.sources.filter((s) => !rereadFiles.has(s.file)));
  }

  const toEmbed: Paper[] = [];
  const metadataOnly: Paper[] = [];
  const seen = new Set<string>();
  for (const paper of merged.papers) {
    const matchId =
      (existing.has(paper.id) ? paper.id : undefined) ??
      (paper.doi ? byKey.get(`doi:${normaliseDoi(paper.doi)}`) : undefined) ??
      (paper.arxivId ? byKey.get(`arxiv:${paper.arxivId}`) : undefined) ??
      byKey.get(`title:${normaliseTitle(paper.title)}`);
    const row = matchId !== undefined && !seen.has(matchId) ? existing.get(matchId) : undefined;
    if (!row) {
      toEmbed.push(paper);
      seen.add(paper.id);
      continue;
    }
    seen.add(row.id);
    const others = keptSources.get(row.id) ?? row.sources.filter((s) => !rereadFiles.has(s.file));
    const sources = [...paper.sources, ...others.filter((o) => !paper.sources.some((s) => s.file === o.file && s.line === o.line))];
    const updated: Paper = { ...paper, id: row.id, sources };
    if (row.contentHash !== paper.contentHash) toEmbed.push(updated);
    else if (row.metaHash !== metaHashOf(updated) || !sameSources(row.sources, sources)) metadataOnly.push(updated);
    else summary.unchanged++;
  }
  // Rows whose re-read files no longer hold them: drop those sources; delete rows left with none.
  const toDelete: string[] = [];
  const sourcesOnly: { id: string; sources: PaperSource[] }[] = [];
  for (const [id, sources] of keptSources) {
    if (seen.has(id)) continue;
    if (sources.length === 0) toDelete.push(id);
    else sourcesOnly.push({ id, sources });
  }

  // 4. Embed and write in chunks (resumable), overlapping each chunk's write with the next chunk's encoding.
  const chunkSize = options.chunkSize ?? 1024;
  let pendingWrite: Promise<void> = Promise.resolve();
  try {
    for (let i = 0; i < toEmbed.length; i += chunkSize) {
      checkCancelled();
      const chunk = toEmbed.slice(i, i + chunkSize);
      const vectors = await encoder.encode(
        chunk.map((p) => documentText(p)),
        'document',
        (done) => report({ phase: 'embedding', done: i + done, total: toEmbed.length }),
      );
      await pendingWrite;
      const fresh: StoredRow[] = [];
      const replacing: StoredRow[] = [];
      chunk.forEach((p, j) => (existing.has(p.id) ? replacing : fresh).push(paperToRow(p, vectors[j]!)));
      summary.added += fresh.length;
      summary.updated += replacing.length;
      summary.embedded += chunk.length;
      pendingWrite = store.add(fresh).then(() => store.upsert(replacing));
    }
  } finally {
    // A cancelled or failed run still finishes the chunk it was writing, so that work is kept.
    await pendingWrite;
  }

  // 5. Metadata-only changes keep their vectors.
  const keepVector = [...metadataOnly.map((p) => p.id), ...sourcesOnly.map((s) => s.id)];
  if (keepVector.length > 0) {
    report({ phase: 'writing', done: 0, total: keepVector.length });
    const current = await store.fullRows(keepVector);
    const rows: StoredRow[] = [];
    for (const p of metadataOnly) {
      const row = current.get(p.id);
      if (row) rows.push(paperToRow(p, row.vector));
    }
    for (const { id, sources } of sourcesOnly) {
      const row = current.get(id);
      if (row) rows.push({ ...row, sources: JSON.stringify(sources) });
    }
    await store.upsert(rows);
    summary.updated += rows.length;
  }
  if (toDelete.length > 0) await store.deleteIds(toDelete);
  summary.removed = toDelete.length;

  // 6. Indices and compaction, then record the files as done.
  report({ phase: 'optimising', done: 0, total: 1 });
  await store.maintain(options.log);
  const diagnostics = [...state.diagnostics.filter((d) => !rereadFiles.has(d.file)), ...merged.diagnostics];
  const filesState: Record<string, FileState> = Object.fromEntries(Object.entries(state.files).filter(([f]) => !vanished.includes(f)));
  for (const [file, st] of fileStats) filesState[file] = st;
  stateFile.write({ files: filesState, diagnostics });
  summary.diagnostics = diagnostics.length;
  summary.papers = await store.count();
  summary.seconds = (Date.now() - started) / 1000;
  report({ phase: 'done', done: 1, total: 1 });
  return summary;
}

export function storedDiagnostics(stateFile: StateFile): IngestDiagnostic[] {
  return stateFile.read().diagnostics;
}
