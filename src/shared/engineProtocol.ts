/**
 * The host/CLI ⇄ engine protocol (JSON-RPC over a worker MessagePort). Compiled into both sides, so a
 * message cannot drift. Requests pair a params type with a result type; errors travel as JSON-RPC
 * errors, never inside results.
 */
import { NotificationType, RequestType, RequestType0 } from 'vscode-jsonrpc';
import type { IngestDiagnostic, Paper } from './paper';

export type SearchMode = 'hybrid' | 'vector' | 'fts';

export interface EngineOptions {
  /** Index folder (LanceDB database). */
  dbDir: string;
  /** Encoder model id (bundled folder name, cached download, or a path). */
  model: string;
  /** Masked LM for keyword highlights; default: the one chosen by `models use`, else atlas-mini-mlm. */
  mlmModel?: string;
  /** Execution provider preference, e.g. ['cuda', 'cpu'] or ['auto']. */
  providers: string[];
  /** Intra-op threads for inference; 0 = onnxruntime's default. */
  threads: number;
  batchSize: number;
}

export interface ProviderAttemptInfo {
  provider: string;
  ok: boolean;
  reason?: string;
}

export interface EngineInfo {
  dbDir: string;
  model: string;
  modelDir: string;
  dims: number;
  provider: string;
  providerAttempts: ProviderAttemptInfo[];
  table: string;
  otherTables: string[];
  papers: number;
  indices: { vector: boolean; fullText: boolean };
  diagnostics: number;
}

/**
 * `done`/`total` count bytes while reading and papers in every later phase; src/core/progressText.ts
 * turns them into words. `message` is the file being read (library input: escape it where shown).
 */
export interface IndexProgress {
  phase: 'reading' | 'comparing' | 'embedding' | 'writing' | 'optimising' | 'done';
  done: number;
  total: number;
  message?: string;
  /** Reading: files read so far and files to read. */
  filesDone?: number;
  filesTotal?: number;
  /** Reading: papers found in the files read so far. */
  papersFound?: number;
}

export interface IndexSummary {
  files: number;
  filesRead: number;
  added: number;
  updated: number;
  unchanged: number;
  removed: number;
  skippedFiles: number;
  embedded: number;
  diagnostics: number;
  papers: number;
  seconds: number;
  provider: string;
  model: string;
}

export interface SearchHit {
  id: string;
  title: string;
  score: number;
  year?: number;
  authors: string[];
  /** `file:line` of the paper's primary source. */
  source: string;
}

export interface SearchParams {
  query: string;
  k: number;
  mode?: SearchMode;
  /** MMR trade-off in [0, 1]; 1 (default) = pure relevance. */
  diversity?: number;
}

export interface RelatedParams {
  id: string;
  k: number;
  diversity?: number;
}

export interface RelatedToTextParams {
  text: string;
  k: number;
  diversity?: number;
}

/** A topic cluster of the library (see src/engine/topics/topicMap.ts). */
export interface TopicCluster {
  id: number;
  label: string;
  size: number;
  keywords: string[];
  papers: string[];
}

export interface MapPoint {
  id: string;
  x: number;
  y: number;
  cluster: number;
}

export interface TopicMapResult {
  clusters: TopicCluster[];
  points: MapPoint[];
}

/** A scored character span of a text (for the keyword heat-map) or a top keyphrase. */
export interface KeywordSpan {
  text: string;
  score: number;
  start: number;
  end: number;
}

export interface KeywordsResult {
  /** Every scored word/phrase span of the text, in text order (heat-map). */
  spans: KeywordSpan[];
  /** The top-k keyphrases, best first. */
  top: KeywordSpan[];
  /** The text the spans index into (title + ". " + abstract for a paper). */
  text: string;
}

export const OpenEngine = new RequestType<EngineOptions, EngineInfo, void>('engine/open');
/**
 * `emptyLibrary`: the caller knows the library now holds no files (every file excluded or deleted), so the
 * index is emptied; without it an empty list is an error (a CLI path that matched nothing is a mistake).
 */
export const IndexPaths = new RequestType<{ paths: string[]; emptyLibrary?: boolean }, IndexSummary, void>('engine/index');
export const IndexProgressNotification = new NotificationType<IndexProgress>('engine/indexProgress');
export const LogNotification = new NotificationType<{ line: string }>('engine/log');
export const SearchPapers = new RequestType<SearchParams, SearchHit[], void>('engine/search');
export const RelatedPapers = new RequestType<RelatedParams, SearchHit[], void>('engine/related');
export const RelatedToText = new RequestType<RelatedToTextParams, SearchHit[], void>('engine/relatedToText');
export const GetPapers = new RequestType<{ ids: string[] }, Paper[], void>('engine/papers');
export const ListPapers = new RequestType<{ offset: number; limit: number }, { total: number; papers: Paper[] }, void>('engine/listPapers');
/** The topic map (clusters, labels, 2-D layout); recomputed after indexing when the library changed. */
export interface TopicMapParams {
  clusters?: 'auto' | number;
  seed?: number;
  /** Ignore the saved map and lay everything out afresh. */
  recompute?: boolean;
}
export const GetTopicMap = new RequestType<TopicMapParams, TopicMapResult, void>('engine/topicMap');
/** MLM keyword highlights of an indexed paper (by id) or of any text. */
export const GetKeywords = new RequestType<{ id?: string; text?: string; k: number }, KeywordsResult, void>('engine/keywords');
export const GetInfo = new RequestType0<EngineInfo, void>('engine/info');
export const GetDiagnostics = new RequestType0<IngestDiagnostic[], void>('engine/diagnostics');
/** Drops this model's table and file state, so the next index run starts from scratch. */
export const ClearIndex = new RequestType0<void, void>('engine/clearIndex');
export const Shutdown = new RequestType0<void, void>('engine/shutdown');

/** JSON-RPC error codes the engine uses, so callers can tell "unknown id" from a crash. */
export const EngineErrorCode = {
  NotOpen: -32001,
  UnknownPaper: -32002,
  BadRequest: -32003,
  Busy: -32004,
  Cancelled: -32800,
} as const;
