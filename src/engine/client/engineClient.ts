/**
 * The caller's side of the engine: forks the engine process (dist/engine.js) with the caller's own
 * runtime (VS Code's Electron as Node inside the extension host, node for the CLI), speaks the typed
 * protocol over the IPC channel, and stops it by message. Loads no native module itself, so a native
 * crash (a segfault or abort in onnxruntime or LanceDB) ends only the engine process: the caller gets
 * the reason and exit code and may start a new one.
 *
 * Folder src/engine/client/: what host and CLI may import to reach the engine (this client, its
 * environment, the index folder marker). No native module may be imported from here.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { CancellationTokenSource, createMessageConnection, IPCMessageReader, IPCMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
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
} from '../../shared/engineProtocol';
import type { IngestDiagnostic, Paper } from '../../shared/paper';
import { ENGINE_FATAL_PREFIX, ENGINE_PROCESS_ARG, engineProcessEnv } from './engineEnvironment';
import { packageRoot } from '../node/packageRoot';

export interface EngineClientOptions {
  onLog?: (line: string) => void;
  onProgress?: (p: IndexProgress) => void;
  /** Called when the engine process dies without being asked to stop (native crash, out of memory, killed), with how it ended: "killed by SIGSEGV", "exit code 1: <error>". */
  onCrash?: (reason: string) => void;
  /** Path of the engine's entry module; defaults to dist/engine.js of this package. */
  enginePath?: string;
  /** Extra arguments for the engine module (tests use them to pick a fake engine). */
  args?: string[];
}

/**
 * The engine process ended while the caller waited on it (or before it asked). Carries the reason
 * (exit code or signal, and the engine's last error line) instead of vscode-jsonrpc's "Pending
 * response rejected since connection got disposed".
 */
export class EngineStoppedError extends Error {
  override name = 'EngineStoppedError';
}

/** "exit code 7", "killed by SIGSEGV": how the process ended, for messages. */
export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `killed by ${signal}`;
  return `exit code ${code ?? 'unknown'}`;
}

export class EngineClient {
  private stopping = false;
  private exited = false;
  /** Why the process ended: exit code or signal and, when it said so, its last error (set before pending requests fail). */
  private stopReason: string | undefined;
  private lastError: string | undefined;
  private readonly exitedPromise: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    private readonly connection: MessageConnection,
  ) {
    this.exitedPromise = new Promise((resolve) => {
      child.once('close', () => resolve());
      child.once('error', () => child.pid === undefined && resolve());
    });
  }

  static start(options: EngineClientOptions = {}): EngineClient {
    const enginePath = options.enginePath ?? path.join(packageRoot(), 'dist', 'engine.js');
    // process.execPath is VS Code's Electron inside the extension host: ELECTRON_RUN_AS_NODE (set by
    // engineProcessEnv) makes it plain Node. No inherited execArgv: a debugger flag of the host would
    // make the engine fight it for the inspector port.
    const child = fork(enginePath, [ENGINE_PROCESS_ARG, ...(options.args ?? [])], {
      env: engineProcessEnv(process.env),
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    const connection = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    const client = new EngineClient(child, connection);
    connection.onNotification(LogNotification, ({ line }) => options.onLog?.(line));
    connection.onNotification(IndexProgressNotification, (p) => options.onProgress?.(p));
    // The engine reports through the protocol; what reaches stderr/stdout is native code's own output
    // (an abort's message, an uncaught error), which the log keeps and a crash report quotes.
    const lines = (stream: NodeJS.ReadableStream | null, what: string): void => {
      let pending = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        pending += chunk;
        const parts = pending.split('\n');
        pending = parts.pop() ?? '';
        for (const line of parts) {
          if (line.startsWith(ENGINE_FATAL_PREFIX)) client.lastError = line.slice(ENGINE_FATAL_PREFIX.length);
          if (line.trim() !== '') options.onLog?.(`${what}: ${line}`);
        }
      });
    };
    lines(child.stdout, 'engine stdout');
    lines(child.stderr, 'engine stderr');
    const ended = (how: string): void => {
      if (client.exited) return;
      client.exited = true;
      client.stopReason = client.stopping
        ? 'the engine was stopped'
        : `the engine stopped unexpectedly (${how}${client.lastError ? `: ${client.lastError}` : ''})`;
      // Rejects every pending request; call() turns those rejections into EngineStoppedError.
      connection.dispose();
      if (!client.stopping) options.onCrash?.(`${how}${client.lastError ? `: ${client.lastError}` : ''}`);
    };
    // 'close', not 'exit': it comes after stderr is drained, so the engine's last words are read first.
    child.on('close', (code, signal) => ended(describeExit(code, signal)));
    child.on('error', (e) => {
      client.lastError = e.message.split('\n')[0];
      // The process could not be started (no such runtime, no permission): no 'exit' will follow.
      if (child.pid === undefined) ended('the engine process could not be started');
    });
    connection.listen();
    return client;
  }

  /** The engine's process id (tests and measurements kill or sample it). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return !this.exited;
  }

  /**
   * Every request goes through here: a request to a dead engine, or one in flight when the process
   * dies (process.exit, an uncaught throw, a native abort, out of memory, SIGKILL), rejects with a one-line EngineStoppedError
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

  topicMap(params: TopicMapParams = {}, cancel?: CancellationTokenSource): Promise<TopicMapResult> {
    return this.call('topicMap', () => this.connection.sendRequest(GetTopicMap, params, cancel?.token));
  }

  keywords(params: { id?: string; text?: string; k: number }, cancel?: CancellationTokenSource): Promise<KeywordsResult> {
    return this.call('keywords', () => this.connection.sendRequest(GetKeywords, params, cancel?.token));
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
   * Asks the engine to release its sessions and end; a process that has not ended `graceMs` after
   * that is killed (SIGTERM, then SIGKILL after another `graceMs`). Killing a process is safe for the
   * caller, unlike terminating a thread inside an ONNX run, but the engine's index writes are not
   * finished then: the next start resumes them.
   */
  async stop(graceMs = 5000): Promise<void> {
    if (this.exited) return;
    this.stopping = true;
    const gone = this.exitedPromise.then(() => 'exited' as const);
    const after = (ms: number): Promise<'timeout'> => new Promise((resolve) => setTimeout(() => resolve('timeout'), ms).unref());
    // The shutdown reply may never come (an engine stuck in native code): the grace period counts from the ask.
    try {
      void this.connection.sendRequest(Shutdown).catch(() => undefined);
    } catch {
      // the channel is already closed: the grace period below still applies
    }
    if ((await Promise.race([gone, after(graceMs)])) === 'exited') return;
    this.child.kill('SIGTERM');
    if ((await Promise.race([gone, after(graceMs)])) === 'exited') return;
    this.child.kill('SIGKILL');
    await gone;
  }
}
