/**
 * The caller's side of the engine: starts the worker, speaks the typed protocol, and stops it by
 * message. Loads no native module itself, so the extension host and the CLI main thread stay free.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { CancellationTokenSource, createMessageConnection, PortMessageReader, PortMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import {
  ClearIndex,
  GetDiagnostics,
  GetInfo,
  GetPapers,
  IndexPaths,
  IndexProgressNotification,
  ListPapers,
  GetTopicMap,
  GetKeywords,
  LogNotification,
  OpenEngine,
  RelatedPapers,
  RelatedToText,
  SearchPapers,
  Shutdown,
  type EngineInfo,
  type EngineOptions,
  type IndexProgress,
  type IndexSummary,
  type KeywordsResult,
  type TopicMapParams,
  type TopicMapResult,
  type RelatedParams,
  type RelatedToTextParams,
  type SearchHit,
  type SearchParams,
} from '../shared/engineProtocol';
import type { IngestDiagnostic, Paper } from '../shared/paper';
import { ensureLanceThreads } from './lanceEnvironment';
import { disableOnnxTelemetry } from './onnxTelemetry';
import { packageRoot } from './packageRoot';

export interface EngineClientOptions {
  onLog?: (line: string) => void;
  onProgress?: (p: IndexProgress) => void;
  /** Called when the worker dies without being asked to stop (native crash, out of memory). */
  onCrash?: (reason: string) => void;
  /** Path of the built worker bundle; defaults to dist/engine.js of this package. */
  workerPath?: string;
}

/**
 * The engine thread ended while the caller waited on it (or before it asked). Carries the reason the
 * worker gave, instead of vscode-jsonrpc's "Pending response rejected since connection got disposed".
 */
export class EngineStoppedError extends Error {
  override name = 'EngineStoppedError';
}

export class EngineClient {
  private stopping = false;
  private exited = false;
  /** Why the worker ended: its exit code and, when it threw, the error (set before pending requests fail). */
  private stopReason: string | undefined;
  private lastError: string | undefined;
  private readonly exitedPromise: Promise<void>;

  private constructor(
    private readonly worker: Worker,
    private readonly connection: MessageConnection,
  ) {
    this.exitedPromise = new Promise((resolve) => worker.once('exit', () => resolve()));
  }

  static start(options: EngineClientOptions = {}): EngineClient {
    // Native code reads these from the OS environment, which only the main thread can set (see each module).
    ensureLanceThreads();
    disableOnnxTelemetry();
    const workerPath = options.workerPath ?? path.join(packageRoot(), 'dist', 'engine.js');
    const worker = new Worker(workerPath);
    const connection = createMessageConnection(new PortMessageReader(worker), new PortMessageWriter(worker));
    const client = new EngineClient(worker, connection);
    connection.onNotification(LogNotification, ({ line }) => options.onLog?.(line));
    connection.onNotification(IndexProgressNotification, (p) => options.onProgress?.(p));
    worker.on('error', (e) => {
      client.lastError = e.message.split('\n')[0];
      if (!client.stopping) options.onCrash?.(`engine error: ${e.message}`);
    });
    worker.on('exit', (code) => {
      client.exited = true;
      client.stopReason = client.stopping
        ? 'the engine was stopped'
        : `the engine stopped unexpectedly (exit code ${code}${client.lastError ? `: ${client.lastError}` : ''})`;
      // Rejects every pending request; call() turns those rejections into EngineStoppedError.
      connection.dispose();
      if (!client.stopping) options.onCrash?.(`engine stopped unexpectedly (exit code ${code})`);
    });
    connection.listen();
    return client;
  }

  get alive(): boolean {
    return !this.exited;
  }

  /**
   * Every request goes through here: a request to a dead engine, or one in flight when the worker
   * dies (process.exit, an uncaught throw, out of memory), rejects with a one-line EngineStoppedError
   * naming the request and the reason, so no caller waits forever or reads a transport message.
   */
  private async call<R>(method: string, send: () => Promise<R>): Promise<R> {
    if (this.exited) throw new EngineStoppedError(`${method}: ${this.stopReason ?? 'the engine is not running'}`);
    try {
      return await send();
    } catch (e) {
      if (this.exited) throw new EngineStoppedError(`${method} failed: ${this.stopReason ?? 'the engine is not running'}`);
      throw e;
    }
  }

  open(options: EngineOptions): Promise<EngineInfo> {
    return this.call('open', () => this.connection.sendRequest(OpenEngine, options));
  }

  /** Index files/folders/globs. `cancel` is a CancellationTokenSource the caller may cancel. */
  index(paths: string[], cancel?: CancellationTokenSource, options: { emptyLibrary?: boolean } = {}): Promise<IndexSummary> {
    return this.call('index', () => this.connection.sendRequest(IndexPaths, { paths, ...options }, cancel?.token));
  }

  search(params: SearchParams, cancel?: CancellationTokenSource): Promise<SearchHit[]> {
    return this.call('search', () => this.connection.sendRequest(SearchPapers, params, cancel?.token));
  }

  related(params: RelatedParams, cancel?: CancellationTokenSource): Promise<SearchHit[]> {
    return this.call('related', () => this.connection.sendRequest(RelatedPapers, params, cancel?.token));
  }

  relatedToText(params: RelatedToTextParams, cancel?: CancellationTokenSource): Promise<SearchHit[]> {
    return this.call('relatedToText', () => this.connection.sendRequest(RelatedToText, params, cancel?.token));
  }

  papers(ids: string[]): Promise<Paper[]> {
    return this.call('papers', () => this.connection.sendRequest(GetPapers, { ids }));
  }

  listPapers(offset: number, limit: number): Promise<{ total: number; papers: Paper[] }> {
    return this.call('listPapers', () => this.connection.sendRequest(ListPapers, { offset, limit }));
  }

  topicMap(params: TopicMapParams = {}): Promise<TopicMapResult> {
    return this.call('topicMap', () => this.connection.sendRequest(GetTopicMap, params));
  }

  keywords(params: { id?: string; text?: string; k: number }): Promise<KeywordsResult> {
    return this.call('keywords', () => this.connection.sendRequest(GetKeywords, params));
  }

  /** Forgets everything indexed with the current model (Rebuild Index = clear, then index). */
  clearIndex(): Promise<void> {
    return this.call('clearIndex', () => this.connection.sendRequest(ClearIndex));
  }

  info(): Promise<EngineInfo> {
    return this.call('info', () => this.connection.sendRequest(GetInfo));
  }

  diagnostics(): Promise<IngestDiagnostic[]> {
    return this.call('diagnostics', () => this.connection.sendRequest(GetDiagnostics));
  }

  /**
   * Asks the engine to release its sessions and end. Never terminate() while it may be inside an
   * ONNX run (that aborts the whole process); only a worker that ignores the request for
   * `graceMs` after answering is terminated, when it is idle by construction.
   */
  async stop(graceMs = 5000): Promise<void> {
    if (this.exited) return;
    this.stopping = true;
    try {
      await this.connection.sendRequest(Shutdown);
    } catch {
      // already gone
    }
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
    if ((await Promise.race([this.exitedPromise.then(() => 'exited' as const), timeout])) === 'timeout') await this.worker.terminate();
  }
}
