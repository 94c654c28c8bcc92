/**
 * LanceDB storage of papers and their vectors. One table per encoder (model id + weights
 * fingerprint), so vectors of two models never mix and switching model re-embeds into a new table.
 * Metadata lives beside the vector so a search answers in one query.
 *
 * Folder src/engine/store/: LanceDB — this store and the environment LanceDB needs before it loads.
 * Engine process only.
 */
import './lanceEnvironment';
import { rmSync } from 'node:fs';
import * as lancedb from '@lancedb/lancedb';
import { Field, FixedSizeList, Float32, Int32, Schema, Utf8 } from 'apache-arrow';
import type { Paper, PaperSource } from '../../shared/paper';
import { claimIndexFolder, NotAnIndexFolderError } from '../client/indexMarker';
import { TABLE_SIDE_FILES, tableSideFile } from './tableSideFiles';

/** Below this many papers an exact (flat) scan is fast enough and exact; above it an ANN index is built. */
export const ANN_THRESHOLD = 50_000;

export interface StoredRow {
  id: string;
  title: string;
  abstract: string;
  authors: string;
  year: number | null;
  venue: string;
  doi: string;
  url: string;
  arxivId: string;
  keywords: string;
  sources: string;
  contentHash: string;
  metaHash: string;
  normTitle: string;
  text: string;
  vector: number[] | Float32Array;
}

/** The light columns the indexer compares against on every run (by id; identity is decided before). */
export interface RowSummary {
  id: string;
  contentHash: string;
  metaHash: string;
}

export interface VectorHit {
  id: string;
  /** Cosine similarity (vectors are L2-normalised). */
  score: number;
}

const SUMMARY_COLUMNS = ['id', 'contentHash', 'metaHash'];
const PAPER_COLUMNS = ['id', 'title', 'abstract', 'authors', 'year', 'venue', 'doi', 'url', 'arxivId', 'keywords', 'sources', 'contentHash'];

function schemaFor(dims: number): Schema {
  const text = (name: string): Field => new Field(name, new Utf8(), false);
  return new Schema([
    text('id'),
    text('title'),
    text('abstract'),
    text('authors'),
    new Field('year', new Int32(), true),
    text('venue'),
    text('doi'),
    text('url'),
    text('arxivId'),
    text('keywords'),
    text('sources'),
    text('contentHash'),
    text('metaHash'),
    text('normTitle'),
    text('text'),
    new Field('vector', new FixedSizeList(dims, new Field('item', new Float32(), true)), false),
  ]);
}

/**
 * A one-line account of a write to the index folder that the file system refused (full disk, read-only
 * folder or mount, no permission), or undefined when `e` is something else. Node reports these with an
 * errno code; LanceDB's native errors only carry the OS message, so both are read.
 */
export function describeStorageError(e: unknown, dbDir: string): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const text = e instanceof Error ? e.message : String(e);
  if (code === 'ENOSPC' || code === 'EDQUOT' || /no space left on device|disk quota exceeded|os error (28|122)\b/i.test(text)) {
    return `the disk holding the index folder ${dbDir} is full: free some space and index again (the papers indexed so far are kept)`;
  }
  if (code === 'EROFS' || /read-only file system|os error 30\b/i.test(text)) {
    return `the index folder ${dbDir} is on a read-only file system: indexing needs to write there (searching still works); choose another index folder`;
  }
  if (code === 'EACCES' || code === 'EPERM' || /permission denied|os error (1|13)\b/i.test(text)) {
    return `no permission to write in the index folder ${dbDir}: indexing needs write access there (searching still works); fix its permissions or choose another index folder`;
  }
  return undefined;
}

export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export function tableNameFor(modelId: string, fingerprint: string): string {
  return `papers__${modelId.replace(/[^A-Za-z0-9]+/g, '_')}__${fingerprint}`;
}

export function rowToPaper(row: Record<string, unknown>): Paper {
  const parse = <T>(v: unknown, fallback: T): T => {
    try {
      return typeof v === 'string' && v.length > 0 ? (JSON.parse(v) as T) : fallback;
    } catch {
      return fallback;
    }
  };
  const str = (v: unknown): string => (typeof v === 'string' ? v : '');
  const paper: Paper = {
    id: str(row.id),
    title: str(row.title),
    abstract: str(row.abstract),
    authors: parse<string[]>(row.authors, []),
    keywords: parse<string[]>(row.keywords, []),
    sources: parse<PaperSource[]>(row.sources, []),
    contentHash: str(row.contentHash),
  };
  if (typeof row.year === 'number' && row.year > 0) paper.year = row.year;
  for (const key of ['venue', 'doi', 'url', 'arxivId'] as const) {
    const v = str(row[key]);
    if (v) paper[key] = v;
  }
  return paper;
}

export class PaperStore {
  private constructor(
    private readonly dbDir: string,
    private readonly db: lancedb.Connection,
    private table: lancedb.Table,
    readonly tableName: string,
    readonly dims: number,
  ) {}

  static async open(dbDir: string, tableName: string, dims: number): Promise<PaperStore> {
    try {
      // Marks the folder as ours (the CLI refuses to search a folder without it), and refuses a
      // non-empty folder that is not an index: the index never moves in beside someone's files.
      claimIndexFolder(dbDir);
    } catch (e) {
      if (e instanceof NotAnIndexFolderError) throw e;
      throw new Error(`cannot create the index folder ${dbDir}: ${e instanceof Error ? e.message : String(e)}`);
    }
    // Another window or a CLI run may write this folder while this engine serves searches. Without a
    // consistency check a connection keeps reading the version it opened: it never sees the other
    // writer's papers and can trip over files that writer's cleanup removed. Checking on every read
    // costs about 2 ms a query at 10k papers (10.4 -> 12.6 ms, flat search, 2-core machine).
    const db = await lancedb.connect(dbDir, { readConsistencyInterval: 0 });
    const names = await db.tableNames();
    const table = names.includes(tableName)
      ? await db.openTable(tableName)
      : await db.createEmptyTable(tableName, schemaFor(dims), { mode: 'create', existOk: true });
    return new PaperStore(dbDir, db, table, tableName, dims);
  }

  /** Tables of other models in the same folder (shown by `info`, dropped by a rebuild). */
  async otherTables(): Promise<string[]> {
    return (await this.db.tableNames()).filter((n) => n !== this.tableName);
  }

  /**
   * Runs a read, again if it raced another process's clean-up: a writer's optimize() deletes the files
   * of old versions, and a query planned on one of those versions just before fails with "Not found".
   * Re-run, it plans on the newest version (readConsistencyInterval 0), whose files are all there.
   */
  private async read<T>(run: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await run();
      } catch (e) {
        if (attempt >= 2 || !isVanishedFileError(e)) throw e;
      }
    }
  }

  /** The table's version: it changes on every write, by this process or another one sharing the folder. */
  async version(): Promise<number> {
    return this.read(() => this.table.version());
  }

  async count(): Promise<number> {
    return this.read(() => this.table.countRows());
  }

  async summaries(): Promise<RowSummary[]> {
    const rows = await this.read(() => this.table.query().select(SUMMARY_COLUMNS).toArray());
    return rows.map((r: Record<string, unknown>) => ({
      id: String(r.id),
      contentHash: String(r.contentHash),
      metaHash: String(r.metaHash),
    }));
  }

  /** Appends rows whose ids the table does not hold yet (the caller compared them against summaries()). */
  async add(rows: StoredRow[]): Promise<void> {
    if (rows.length === 0) return;
    assertUniqueIds(rows);
    await this.table.add(rows as unknown as Record<string, unknown>[]);
  }

  async upsert(rows: StoredRow[]): Promise<void> {
    if (rows.length === 0) return;
    // LanceDB refuses the whole merge ("Ambiguous merge inserts are prohibited") when two source rows
    // share an id; refusing here names the id and keeps a caller's bug from reaching the table.
    assertUniqueIds(rows);
    await this.table.mergeInsert('id').whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(rows as unknown as Record<string, unknown>[]);
  }

  async deleteIds(ids: readonly string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      await this.table.delete(`id IN (${chunk.map(sqlString).join(',')})`);
    }
  }

  private async rowsWhereIdIn(ids: readonly string[], columns: string[]): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      out.push(...(await this.read(() => this.table.query().where(`id IN (${chunk.map(sqlString).join(',')})`).select(columns).toArray())));
    }
    return out;
  }

  async papers(ids: readonly string[]): Promise<Map<string, Paper>> {
    const rows = await this.rowsWhereIdIn(ids, PAPER_COLUMNS);
    return new Map(rows.map((r) => [String(r.id), rowToPaper(r)]));
  }

  async fullRows(ids: readonly string[]): Promise<Map<string, StoredRow>> {
    const rows = await this.rowsWhereIdIn(ids, [...PAPER_COLUMNS, 'metaHash', 'normTitle', 'text', 'vector']);
    return new Map(
      rows.map((r) => {
        const vector = r.vector as { toArray?: () => Float32Array } | number[];
        const row = { ...r, vector: Array.isArray(vector) ? vector : Array.from(vector.toArray?.() ?? []) } as unknown as StoredRow;
        return [row.id, row];
      }),
    );
  }

  async vectors(ids: readonly string[]): Promise<Map<string, Float32Array>> {
    const rows = await this.rowsWhereIdIn(ids, ['id', 'vector']);
    return new Map(rows.map((r) => [String(r.id), toFloat32(r.vector)]));
  }

  /** Every paper's id and vector, for clustering and the map. */
  async allVectors(): Promise<{ ids: string[]; vectors: Float32Array[] }> {
    const table = await this.read(() => this.table.query().select(['id', 'vector']).toArrow());
    const ids: string[] = [];
    const vectors: Float32Array[] = [];
    const idColumn = table.getChild('id');
    const vectorColumn = table.getChild('vector');
    for (let i = 0; i < table.numRows; i++) {
      ids.push(String(idColumn?.get(i)));
      vectors.push(toFloat32(vectorColumn?.get(i)));
    }
    return { ids, vectors };
  }

  async pageOfPapers(offset: number, limit: number): Promise<Paper[]> {
    const rows = await this.read(() => this.table.query().select(PAPER_COLUMNS).offset(offset).limit(limit).toArray());
    return rows.map((r: Record<string, unknown>) => rowToPaper(r));
  }

  async allPapers(): Promise<Paper[]> {
    const rows = await this.read(() => this.table.query().select(PAPER_COLUMNS).toArray());
    return rows.map((r: Record<string, unknown>) => rowToPaper(r));
  }

  /** `exact` skips the ANN index (ground truth for recall measurements). */
  async vectorSearch(vector: Float32Array, k: number, exact = false): Promise<VectorHit[]> {
    await this.recentIndexInfo();
    let query = this.table.vectorSearch(vector).distanceType('cosine').select(['id', '_distance']).limit(k);
    if (exact) query = query.bypassVectorIndex();
    else if (this.hasVectorIndex) {
      query = query.nprobes(this.nprobes);
      // Only PQ codes need re-ranking with exact distances; IVF_FLAT partitions hold the vectors themselves.
      if (this.vectorIndexType === 'IvfPq') query = query.refineFactor(this.refineFactor);
    }
    const rows = await this.read(() => query.toArray());
    return rows.map((r: Record<string, unknown>) => ({ id: String(r.id), score: 1 - Number(r._distance) }));
  }

  async fullTextSearch(query: string, k: number): Promise<VectorHit[]> {
    const cleaned = query.replace(/[^\p{L}\p{N}\s-]/gu, ' ').trim();
    if (!cleaned) return [];
    await this.recentIndexInfo();
    if (!this.hasFtsIndex) return [];
    const rows = await this.read(() => this.table.query().fullTextSearch(cleaned, { columns: 'text' }).select(['id', '_score']).limit(k).toArray());
    return rows.map((r: Record<string, unknown>) => ({ id: String(r.id), score: Number(r._score) }));
  }

  private hasVectorIndex = false;
  private vectorIndexType = '';
  private hasFtsIndex = false;
  /** Partitions searched; set from the index size by refreshIndexInfo() unless a caller fixed it. */
  nprobes = 32;
  private nprobesFixed = false;

  /** For benchmarks and tuning: probe this many partitions whatever the index size. */
  setNprobes(n: number): void {
    this.nprobes = n;
    this.nprobesFixed = true;
  }
  /** Re-ranking depth for IVF-PQ indices built by earlier versions (nprobes 32 + refine 20: recall@10 0.971 at 75k). */
  refineFactor = 20;

  private indexInfoAt = 0;

  async refreshIndexInfo(): Promise<void> {
    const indices = await this.table.listIndices();
    const vectorIndex = indices.find((i) => i.columns.includes('vector'));
    this.hasVectorIndex = vectorIndex !== undefined;
    this.vectorIndexType = vectorIndex?.indexType ?? '';
    if (vectorIndex && !this.nprobesFixed) this.nprobes = nprobesFor(this.vectorIndexType, vectorIndex.numIndexedRows ?? 0);
    this.hasFtsIndex = indices.some((i) => i.columns.includes('text'));
    this.indexInfoAt = Date.now();
  }

  /**
   * Another process (a second window, a CLI run) may build the full-text or ANN index after this one
   * opened the table; searches look again at most once a second instead of trusting the flags forever.
   */
  private async recentIndexInfo(): Promise<void> {
    if (Date.now() - this.indexInfoAt > 1000) await this.refreshIndexInfo();
  }

  indexInfo(): { vector: boolean; fullText: boolean } {
    return { vector: this.hasVectorIndex, fullText: this.hasFtsIndex };
  }

  /**
   * Builds what is missing (FTS index once there is data; the ANN index past ANN_THRESHOLD), folds new
   * rows into existing indices and removes old versions so the folder does not grow on every edit.
   */
  async maintain(log?: (line: string) => void): Promise<void> {
    await this.refreshIndexInfo();
    const rows = await this.count();
    if (rows > 0 && !this.hasFtsIndex) {
      log?.('building the full-text index');
      await this.table.createIndex('text', { config: lancedb.Index.fts({ withPosition: false }) });
    }
    if (rows >= ANN_THRESHOLD && !this.hasVectorIndex) {
      const numPartitions = ivfFlatPartitions(rows);
      // IVF_FLAT, not IVF-PQ: at 74,728 papers it builds in ~2 s instead of 34–100 s (PQ codebook
      // training), and searching full vectors in the probed partitions needs no re-ranking.
      log?.(`building the vector index (IVF_FLAT, ${numPartitions} partitions) over ${rows} papers`);
      await this.table.createIndex('vector', { config: lancedb.Index.ivfFlat({ distanceType: 'cosine', numPartitions }) });
    }
    await this.table.optimize({ cleanupOlderThan: new Date() });
    await this.refreshIndexInfo();
    // Tables of older weights of this same model are dead once this one is complete (other models' stay:
    // the user may switch back without re-embedding).
    const prefix = this.tableName.slice(0, this.tableName.lastIndexOf('__') + 2);
    for (const stale of (await this.db.tableNames()).filter((n) => n.startsWith(prefix) && n !== this.tableName)) {
      log?.(`dropping ${stale}: vectors of older weights of the same model`);
      await this.db.dropTable(stale);
      for (const kind of TABLE_SIDE_FILES) rmSync(tableSideFile(this.dbDir, stale, kind), { force: true });
    }
  }

  /** Empties the table (drop + recreate with the same schema). */
  async clear(): Promise<void> {
    this.table.close();
    await this.db.dropTable(this.tableName);
    this.table = await this.db.createEmptyTable(this.tableName, schemaFor(this.dims), { mode: 'create', existOk: true });
    await this.refreshIndexInfo();
  }

  close(): void {
    this.table.close();
    this.db.close();
  }
}

function assertUniqueIds(rows: readonly StoredRow[]): void {
  const seen = new Set<string>();
  for (const row of rows) {
    if (seen.has(row.id)) throw new Error(`two rows with the id "${row.id}" in one write to the index; nothing was written`);
    seen.add(row.id);
  }
}

/**
 * IVF_FLAT indices are built with √n partitions (up to 2√n from 500k papers on, see below) and searched
 * in 16 of them. On real arXiv + ACL vectors (npm run bench, load 3–5): 100k → recall@10 0.961, p95 11 ms
 * (8 probes: 0.914; 32: 0.989 at p95 17 ms). Latency follows the vectors scanned (LanceDB reads ~1M
 * vectors/s here), recall the share of neighbours' partitions probed. IVF-PQ indices of earlier versions
 * keep the 32 probes (+ refine) they were tuned with.
 */
export function ivfFlatPartitions(rows: number): number {
  // At 1M papers √n partitions × 16 probes scan 16k vectors: p95 32 ms, recall@10 0.982; 2√n scan 8k:
  // p95 17 ms, recall 0.989 (idle cores, 200 queries, 2026-12-02; build 41 s instead of 21 s). Below
  // 500k the finer split would cost recall (100k: 8 of 316 probes read 0.914), so it grows from 1× at
  // 500k to 2× at 1M.
  const scale = Math.min(2, Math.max(1, rows / 500_000));
  return Math.max(16, Math.round(scale * Math.sqrt(rows)));
}

/** LanceDB's error for a data or index file removed under a running query (another process compacted the table). */
export function isVanishedFileError(e: unknown): boolean {
  return /not found: .*\.(lance|idx)\b/i.test(e instanceof Error ? e.message : String(e));
}

export function nprobesFor(indexType: string, indexedRows: number): number {
  if (indexType !== 'IvfFlat' || indexedRows <= 0) return 32;
  return Math.min(IVF_FLAT_NPROBES, Math.max(1, Math.round(Math.sqrt(indexedRows))));
}

const IVF_FLAT_NPROBES = 16;

function toFloat32(v: unknown): Float32Array {
  if (v instanceof Float32Array) return v;
  if (Array.isArray(v)) return Float32Array.from(v as number[]);
  const withToArray = v as { toArray?: () => ArrayLike<number> };
  return Float32Array.from(withToArray.toArray?.() ?? []);
}
