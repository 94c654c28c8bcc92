/**
 * The engine: its own process (forked by EngineClient) that owns the ONNX sessions and the LanceDB
 * connection. The host and the CLI talk to it over JSON-RPC (src/shared/engineProtocol.ts) on the
 * IPC channel and never block on inference; a native crash here ends this process only. It stops on
 * a Shutdown request after releasing its sessions, and ends by itself when its parent goes away.
 * Every request honours the caller's cancellation: it is checked before the work starts, between
 * its steps where the service allows it (search, related), and before the answer is sent.
 *
 * Folder src/engine/server/: the engine process itself — this entry point (dist/engine.js), request
 * routing, the warm-up after open and the thread-priority drop. Nothing outside this folder imports it.
 */
import { CancellationToken, createMessageConnection, IPCMessageReader, IPCMessageWriter, ResponseError } from 'vscode-jsonrpc/node';
import {
  ClearIndex,
  EngineErrorCode,
  GetDiagnostics,
  GetInfo,
  GetKeywords,
  GetTopicMap,
  GetPapers,
  IndexPaths,
  IndexProgressNotification,
  ListPapers,
  LogNotification,
  OpenEngine,
  RelatedPapers,
  RelatedToText,
  SearchPapers,
  Shutdown,
  type EngineInfo,
  type EngineOptions,
  type TopicMapResult,
} from '../../shared/engineProtocol';
import { resolveProviderPreference } from '../encoder/executionProviders';
import { IndexCancelled, indexFiles, stateFileFor, storedDiagnostics, type StateFile } from '../index/indexer';
import { acquireIndexLock, IndexBusyError } from '../index/indexLock';
import { discoverLibraryFiles } from '../index/libraryFiles';
import { describeStorageError, PaperStore, tableNameFor } from '../store/paperStore';
import { SearchCancelled, SearchService, termStatisticsFileFor, UnknownPaperError } from '../search/searchService';
import { TextEncoder } from '../encoder/textEncoder';
import { lowerEngineThreadPriority } from './threadPriority';
import { KeywordService } from '../keywords/keywordService';
import { DEFAULT_MLM_ID } from '../models/modelFolder';
import { readSelectedModel } from '../models/modelSelection';
import { collectTopicInputs } from '../topics/topicMap';
import { ENGINE_FATAL_PREFIX } from '../client/engineEnvironment';
import { topicMapInThread } from '../topics/topicMapThread';
import { warmUpEngine } from './engineWarmup';

interface OpenEngineState {
  options: EngineOptions;
  /** Bumped by every index run: the cached topic map is valid only for the generation it was made in. */
  generation: number;
  /** The latest topic map, or the one being computed (concurrent asks share one computation). */
  topics?: { generation: number; key: string; map: Promise<TopicMapResult> };
  encoder: TextEncoder;
  store: PaperStore;
  search: SearchService;
  stateFile: StateFile;
  keywords: KeywordService;
}

if (!process.send) throw new Error('the engine runs as a child process with an IPC channel: start it through EngineClient');
const connection = createMessageConnection(new IPCMessageReader(process), new IPCMessageWriter(process));
// The parent went away (the extension host crashed or was killed): nobody can ask for a shutdown.
process.on('disconnect', () => process.exit(0));
const log = (line: string): void => void connection.sendNotification(LogNotification, { line });
// Before any ONNX session or LanceDB connection exists: their thread pools inherit it.
log(lowerEngineThreadPriority());
let engine: OpenEngineState | undefined;
/** Requests being handled: an ONNX run may be in flight while this is above zero. */
let active = 0;
/** Of those, the ones that use the open engine (all but open and shutdown), which closing waits for. */
let using = 0;
/** Set while the engine is being closed (reopen, shutdown): a running index run stops at its next chunk. */
let closing = false;
/** Set by an uncaught error: the engine finishes its native work, releases it, then ends (see onFatal). */
let fatal: Error | undefined;

function requireOpen(): OpenEngineState {
  if (!engine) throw new ResponseError(EngineErrorCode.NotOpen, 'the engine is not open');
  return engine;
}

/**
 * A write the file system refused becomes a message that says what to do; the raw error (a LanceDB
 * error can be several lines of Rust context) goes to the log.
 */
function storageErrors<T>(dbDir: string, run: () => Promise<T>): Promise<T> {
  return run().catch((e: unknown) => {
    const described = describeStorageError(e, dbDir);
    if (!described) throw e;
    log(`${described}: ${e instanceof Error ? e.message : String(e)}`);
    throw new ResponseError(-32603, described);
  });
}

/** Errors cross the boundary as one-line JSON-RPC errors with a code the caller can act on. */
function asResponseError(e: unknown): ResponseError<void> {
  if (e instanceof ResponseError) return e as ResponseError<void>;
  if (e instanceof UnknownPaperError) return new ResponseError(EngineErrorCode.UnknownPaper, e.message);
  if (e instanceof IndexBusyError) return new ResponseError(EngineErrorCode.Busy, e.message);
  if (e instanceof IndexCancelled) return new ResponseError(EngineErrorCode.Cancelled, e.message);
  if (e instanceof SearchCancelled) return new ResponseError(EngineErrorCode.Cancelled, e.message);
  return new ResponseError(-32603, e instanceof Error ? e.message : String(e));
}

function handle<P, R>(
  fn: (params: P, token: CancellationToken) => Promise<R>,
  usesEngine = true,
): (params: P, token: CancellationToken) => Promise<R> {
  return async (params, token) => {
    if (fatal) throw new ResponseError(-32603, `the engine is stopping after an internal error: ${fatal.message}`);
    if (token.isCancellationRequested) throw new ResponseError(EngineErrorCode.Cancelled, 'cancelled');
    active++;
    if (usesEngine) using++;
    try {
      const result = await fn(params, token);
      // An answer nobody waits for any more is not sent (the caller has moved on: a new keystroke, a closed hover).
      if (token.isCancellationRequested) throw new ResponseError(EngineErrorCode.Cancelled, 'cancelled');
      return result;
    } catch (e) {
      throw asResponseError(e);
    } finally {
      active--;
      if (usesEngine) using--;
    }
  };
}

function handle0<R>(fn: () => Promise<R>, usesEngine = true): () => Promise<R> {
  const handler = handle<void, R>(() => fn(), usesEngine);
  return () => handler(undefined, CancellationToken.None);
}

/**
 * Closes the open engine for a reopen or a shutdown. Releasing an ONNX session or the LanceDB table
 * under a running request breaks that request (and a session released mid-run can crash the
 * process), so first the running requests finish: an index run stops at its next chunk boundary.
 */
async function closeEngine(): Promise<void> {
  if (!engine) return;
  closing = true;
  try {
    const deadline = Date.now() + 120_000;
    while (using > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    if (using > 0) log(`closing the engine with ${using} request(s) still running after 120 s`);
    const current = engine;
    engine = undefined;
    if (current) {
      await current.keywords.release();
      await current.encoder.release();
      current.store.close();
    }
  } finally {
    closing = false;
  }
}

/**
 * An uncaught error would end this process at once, with an index run's chunk half written and ONNX
 * sessions not released. So: refuse new requests, let the running ones finish (an index run stops at
 * its next chunk), release the sessions, and only then end, naming the error on stderr
 * (ENGINE_FATAL_PREFIX) for EngineClient to report.
 */
function onFatal(e: unknown): void {
  if (fatal) return;
  fatal = e instanceof Error ? e : new Error(String(e));
  const error = fatal;
  log(`internal error, stopping the engine: ${error.stack ?? error.message}`);
  void (async () => {
    const deadline = Date.now() + 60_000;
    while (active > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    try {
      if (engine) {
        await engine.keywords.release();
        await engine.encoder.release();
        engine.store.close();
        engine = undefined;
      }
    } catch {
      // releasing is best effort: the thread ends next either way
    }
    process.stderr.write(`${error.stack ?? error.message}\n${ENGINE_FATAL_PREFIX}${error.message.split('\n')[0]}\n`, () => process.exit(1));
  })();
}
process.on('uncaughtException', onFatal);
process.on('unhandledRejection', onFatal);

async function info(): Promise<EngineInfo> {
  const { options, encoder, store, stateFile } = requireOpen();
  await store.refreshIndexInfo();
  return {
    dbDir: options.dbDir,
    model: encoder.settings.id,
    modelDir: encoder.settings.dir,
    dims: encoder.dims,
    provider: encoder.provider,
    providerAttempts: encoder.providerAttempts,
    table: store.tableName,
    otherTables: await store.otherTables(),
    papers: await store.count(),
    indices: store.indexInfo(),
    diagnostics: storedDiagnostics(stateFile).length,
  };
}

connection.onRequest(
  OpenEngine,
  handle(async (options) => {
    await closeEngine();
    const encoder = await TextEncoder.open(options.model, {
      providers: resolveProviderPreference(options.providers.length > 0 ? options.providers : 'auto'),
      threads: options.threads,
      batchSize: options.batchSize,
      log,
    });
    const tableName = tableNameFor(encoder.settings.id, encoder.fingerprint);
    const store = await storageErrors(options.dbDir, () => PaperStore.open(options.dbDir, tableName, encoder.dims));
    await store.refreshIndexInfo();
    const keywords = new KeywordService({
      dbDir: options.dbDir,
      store,
      mlm: options.mlmModel ?? readSelectedModel(options.dbDir, 'mlm') ?? DEFAULT_MLM_ID,
      threads: options.threads,
      log,
      // Phrase-to-paper similarity uses the encoder that is already loaded for search.
      embed: (texts) => encoder.encode(texts, 'document'),
    });
    engine = {
      options,
      generation: 0,
      encoder,
      store,
      search: new SearchService(store, encoder, termStatisticsFileFor(options.dbDir, tableName)),
      stateFile: stateFileFor(options.dbDir, tableName),
      keywords,
    };
    return info().finally(() => void (engine && warmUpEngine(engine, { log, hold: () => (using++, () => void using--), stopping: () => closing || fatal !== undefined, idle: () => active === 0 })));
  }, false),
);

connection.onRequest(
  IndexPaths,
  handle(async ({ paths, emptyLibrary }, token) => {
    const state = requireOpen();
    const { store, encoder, stateFile, options } = state;
    const { files, missing } = await discoverLibraryFiles(paths, { indexDir: options.dbDir });
    for (const m of missing) log(m);
    if (files.length === 0 && !emptyLibrary) throw new ResponseError(EngineErrorCode.BadRequest, `no library files found in: ${paths.join(', ')}`);
    return storageErrors(options.dbDir, async () => {
      const release = acquireIndexLock(options.dbDir);
      state.generation++;
      try {
        return await indexFiles(files, store, encoder, stateFile, {
          onProgress: (p) => void connection.sendNotification(IndexProgressNotification, p),
          isCancelled: () => token.isCancellationRequested || fatal !== undefined || closing,
          log,
        });
      } catch (e) {
        if (fatal && e instanceof IndexCancelled) {
          throw new ResponseError(-32603, `indexing stopped after an internal error of the engine (${fatal.message}); the papers written so far are kept`);
        }
        if (closing && e instanceof IndexCancelled) {
          throw new ResponseError(EngineErrorCode.Cancelled, 'indexing cancelled: the engine was reopened or stopped; the papers written so far are kept');
        }
        throw e;
      } finally {
        release();
        // The state this run used, not requireOpen(): the engine may be closing or reopened by now.
        state.keywords.libraryChanged();
        // Count the keyword statistics of the new library now, in a worker thread, rather than on the
        // first keyword request (at 75k papers that request waited a minute). No masked LM: nothing to do.
        if (!closing) void state.keywords.prepareLibraryStatistics().catch((e: unknown) => log(`keyword statistics not prepared: ${e instanceof Error ? e.message : String(e)}`));
      }
    });
  }),
);

connection.onRequest(
  SearchPapers,
  handle(async ({ query, k, mode, diversity }, token) => requireOpen().search.search(query, k, mode, diversity, token)),
);
connection.onRequest(
  RelatedPapers,
  handle(async ({ id, k, diversity }, token) => requireOpen().search.related(id, k, diversity, token)),
);
connection.onRequest(
  RelatedToText,
  handle(async ({ text, k, diversity }, token) => requireOpen().search.relatedToText(text, k, diversity, token)),
);
connection.onRequest(
  GetPapers,
  handle(async ({ ids }) => {
    const papers = await requireOpen().store.papers(ids);
    return ids.flatMap((id) => papers.get(id) ?? []);
  }),
);
connection.onRequest(
  ListPapers,
  handle(async ({ offset, limit }) => {
    const { store } = requireOpen();
    return { total: await store.count(), papers: await store.pageOfPapers(offset, limit) };
  }),
);
connection.onRequest(
  GetTopicMap,
  handle(async ({ clusters, seed, recompute }) => {
    const state = requireOpen();
    const key = JSON.stringify([clusters ?? 'auto', seed ?? null]);
    if (!recompute && state.topics && state.topics.generation === state.generation && state.topics.key === key) return state.topics.map;
    const generation = state.generation;
    const map = (async (): Promise<TopicMapResult> => {
      const started = Date.now();
      const inputs = await collectTopicInputs(state.store);
      const result = await topicMapInThread(inputs, state.options.dbDir, state.store.tableName, {
        clusters: clusters ?? 'auto',
        ...(seed !== undefined ? { seed } : {}),
        recompute: recompute ?? false,
      });
      log(`topic map: ${result.clusters.length} clusters over ${result.points.length} papers in ${((Date.now() - started) / 1000).toFixed(1)}s`);
      return result;
    })();
    state.topics = { generation, key, map };
    // A failed computation is not cached: the next ask tries again.
    map.catch(() => {
      if (state.topics?.map === map) state.topics = undefined;
    });
    return map;
  }),
);
connection.onRequest(
  GetKeywords,
  handle(async ({ id, text, k }, token) => {
    if ((id === undefined) === (text === undefined)) throw new ResponseError(EngineErrorCode.BadRequest, 'keywords needs exactly one of id or text');
    return requireOpen().keywords.keywords({ ...(id !== undefined ? { id } : {}), ...(text !== undefined ? { text } : {}), k }, token);
  }),
);
connection.onRequest(GetInfo, handle0(info));
connection.onRequest(
  GetDiagnostics,
  handle0(async () => storedDiagnostics(requireOpen().stateFile)),
);
connection.onRequest(
  ClearIndex,
  handle0(async () => {
    const { store, stateFile, options } = requireOpen();
    await storageErrors(options.dbDir, async () => {
      const release = acquireIndexLock(options.dbDir);
      try {
        await store.clear();
        stateFile.clear();
        requireOpen().search.forgetTermStatistics();
        requireOpen().keywords.libraryChanged();
      } finally {
        release();
      }
    });
  }),
);
connection.onRequest(
  Shutdown,
  handle0(async () => {
    await closeEngine();
    // Let the reply go out, then leave. Native thread pools could keep an idle process alive, so
    // it exits explicitly once the channel is closed.
    setImmediate(() => {
      connection.dispose();
      process.disconnect?.();
    });
  }, false),
);

connection.listen();
