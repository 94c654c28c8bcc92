/**
 * Owns the engine process for the extension host: starts it on first use (never during activation,
 * never in an untrusted workspace), opens it with the configured model and index folder. When the
 * process dies (a native crash, an abort, out of memory, killed), only it dies: EngineClient rejects
 * the requests it had pending (hovers, searches and the panel resolve empty or show the error instead
 * of waiting), this manager reports the crash once with its reason and exit code or signal (a
 * notification with "Restart Engine" and "Show Log") and starts a fresh process on the next request,
 * unless the engine keeps crashing: then CrashBackoff spaces the restarts out and finally leaves it
 * stopped until the user restarts it. Stopping goes through EngineClient.stop(): a shutdown message
 * first, so the engine releases its sessions, and kill() only after a grace period.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { notificationText } from '../../core/displayText';
import { EngineClient, type EngineClientOptions } from '../../engine/client/engineClient';
import type { EngineInfo, IndexProgress } from '../../shared/engineProtocol';
import { readConfig } from '../config';
import { Commands } from '../commands/commandTable';
import { errorMessage } from '../atlasContext';
import { CrashBackoff } from './crashBackoff';

export type EngineState = 'stopped' | 'starting' | 'ready' | 'error';

/** The engine is not running and was not started: untrusted workspace, or crash back-off. */
export class EngineUnavailableError extends Error {
  override readonly name = 'EngineUnavailableError';
}

export const RESTART_ENGINE = 'Restart Engine';
export const SHOW_LOG = 'Show Log';

export interface EngineManagerOptions {
  /** Starts an engine process; tests pass one that runs a fake engine. */
  startClient?: (options: EngineClientOptions) => EngineClient;
  backoff?: CrashBackoff;
}

export class EngineManager implements vscode.Disposable {
  private client: EngineClient | undefined;
  private opening: Promise<EngineClient> | undefined;
  private generation = 0;
  private _state: EngineState = 'stopped';
  private _info: EngineInfo | undefined;
  private _lastError: string | undefined;
  private openError: Error | undefined;
  private readonly stateEmitter = new vscode.EventEmitter<EngineState>();
  private readonly progressEmitter = new vscode.EventEmitter<IndexProgress>();
  private readonly crashEmitter = new vscode.EventEmitter<string>();
  private readonly restartEmitter = new vscode.EventEmitter<void>();
  private readonly startClient: (options: EngineClientOptions) => EngineClient;
  private readonly backoff: CrashBackoff;
  private crashes = 0;
  readonly onDidChangeState = this.stateEmitter.event;
  readonly onProgress = this.progressEmitter.event;
  /** Fires after a crash, once the process is gone; a later `get()` starts a new one (see CrashBackoff). */
  readonly onDidCrash = this.crashEmitter.event;
  /** Fires when the user restarts the engine after a crash (the indexing controller re-indexes). */
  readonly onDidRequestRestart = this.restartEmitter.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
    options: EngineManagerOptions = {},
  ) {
    this.startClient = options.startClient ?? ((o) => EngineClient.start(o));
    this.backoff = options.backoff ?? new CrashBackoff();
  }

  /** Crashes since activation: callers compare it before and after a request to tell a crash from an error. */
  get crashCount(): number {
    return this.crashes;
  }

  get state(): EngineState {
    return this._state;
  }
  get info(): EngineInfo | undefined {
    return this._info;
  }
  get lastError(): string | undefined {
    return this._lastError;
  }

  /** The folder of the LanceDB index: the setting, else this workspace's storage, else global storage. */
  indexDir(): string {
    const configured = readConfig().indexLocation;
    const base = configured !== '' ? configured : (this.context.storageUri ?? this.context.globalStorageUri).fsPath;
    return path.join(base, configured !== '' ? '' : 'index');
  }

  /**
   * The running, opened engine; starts and opens one when there is none. After an open failure
   * (missing model, unreadable index) callers get that error at once instead of a new process per
   * hover; `retry` (indexing runs) or a settings change (stop()) tries again. In an untrusted
   * workspace, and while a crashing engine is backing off, it rejects with EngineUnavailableError
   * without starting anything.
   */
  get(retry = false): Promise<EngineClient> {
    if (this.client?.alive) return Promise.resolve(this.client);
    if (this.opening) return this.opening;
    if (!vscode.workspace.isTrusted) return Promise.reject(new EngineUnavailableError('Paper Atlas does not start its engine in an untrusted workspace'));
    if (this.openError && !retry) return Promise.reject(this.openError);
    const permission = this.backoff.canStart();
    if (!permission.ok) return Promise.reject(new EngineUnavailableError(`Paper Atlas engine is not running: ${permission.reason}`));
    this.opening = this.startAndOpen(++this.generation).finally(() => (this.opening = undefined));
    return this.opening;
  }

  /** The user asked for a restart (crash notification): forget the crashes and the last open error. */
  restart(): void {
    this.backoff.reset();
    this.openError = undefined;
    this.log.info('engine restart requested');
    this.restartEmitter.fire();
  }

  private setState(state: EngineState, error?: string): void {
    this._state = state;
    this._lastError = error;
    this.stateEmitter.fire(state);
  }

  private async startAndOpen(generation: number): Promise<EngineClient> {
    const config = readConfig();
    const dbDir = this.indexDir();
    this.setState('starting');
    const started = Date.now();
    const client = this.startClient({
      onLog: (line) => this.log.info(`[engine] ${line}`),
      onProgress: (p) => this.progressEmitter.fire(p),
      onCrash: (reason) => this.handleCrash(generation, reason),
    });
    try {
      mkdirSync(dbDir, { recursive: true });
      const info = await client.open({
        dbDir,
        model: config.encoderModel,
        mlmModel: config.mlmModel,
        providers: config.executionProviders,
        threads: config.threads,
        batchSize: config.batchSize,
      });
      this.client = client;
      this._info = info;
      this.openError = undefined;
      this.log.info(`engine open in ${Date.now() - started} ms: model ${info.model}, provider ${info.provider}, ${info.papers} papers, index ${info.dbDir}`);
      this.setState('ready');
      return client;
    } catch (e) {
      const message = errorMessage(e);
      if (!client.alive) {
        // The process died while opening: handleCrash reported it and CrashBackoff decides when it
        // starts again; remembering this as an open error would block that restart.
        throw new Error(`Paper Atlas engine stopped while opening: ${message}`);
      }
      await client.stop().catch(() => undefined);
      this.log.error(`engine failed to open: ${message}`);
      this.setState('error', message);
      this.openError = new Error(`Paper Atlas engine could not open: ${message}`);
      throw this.openError;
    }
  }

  private handleCrash(generation: number, reason: string): void {
    if (generation !== this.generation) return;
    this.client = undefined;
    this._info = undefined;
    this.crashes++;
    const recent = this.backoff.recordCrash();
    const permission = this.backoff.canStart();
    const next = permission.ok ? 'It restarts on next use.' : permission.retryInMs === undefined ? `It crashed ${recent} times in a short while and stays stopped until you restart it.` : `It restarts on use after ${Math.ceil(permission.retryInMs / 1000)} s.`;
    this.log.error(`engine crashed: ${reason}. ${next}`);
    this.setState('error', reason);
    this.crashEmitter.fire(reason);
    void vscode.window.showErrorMessage(notificationText(`Paper Atlas engine stopped unexpectedly (${reason}). ${next}`), RESTART_ENGINE, SHOW_LOG).then((choice) => {
      if (choice === RESTART_ENGINE) this.restart();
      else if (choice === SHOW_LOG) void vscode.commands.executeCommand(Commands.showLog.id);
    });
  }

  /** Refreshes `info` (paper count, provider) from a running engine. */
  async refreshInfo(): Promise<EngineInfo | undefined> {
    if (!this.client?.alive) return this._info;
    try {
      this._info = await this.client.info();
      this.stateEmitter.fire(this._state);
    } catch (e) {
      this.log.warn(`engine info failed: ${errorMessage(e)}`);
    }
    return this._info;
  }

  /** Stops the process by message (settings changed, rebuild, deactivate). The next `get()` reopens. */
  async stop(): Promise<void> {
    this.generation++;
    this.openError = undefined;
    const pending = this.opening;
    const client = this.client ?? (pending ? await pending.catch(() => undefined) : undefined);
    this.client = undefined;
    this._info = undefined;
    if (client) await client.stop();
    this.setState('stopped');
  }

  dispose(): void {
    void this.stop();
    this.stateEmitter.dispose();
    this.progressEmitter.dispose();
    this.crashEmitter.dispose();
    this.restartEmitter.dispose();
  }
}
