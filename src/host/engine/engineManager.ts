/**
 * Owns the engine worker for the extension host: starts it on first use (never during activation),
 * opens it with the configured model and index folder, reports a crash (notification with "Show Log")
 * and starts a fresh worker on the next request, so a native crash never takes the host down.
 * Stopping goes through EngineClient.stop(), which asks the worker to release its sessions first.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { EngineClient } from '../../engine/engineClient';
import type { EngineInfo, IndexProgress } from '../../shared/engineProtocol';
import { readConfig } from '../config';
import { Commands } from '../commands/commandTable';
import { errorMessage } from '../atlasContext';

export type EngineState = 'stopped' | 'starting' | 'ready' | 'error';

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
  readonly onDidChangeState = this.stateEmitter.event;
  readonly onProgress = this.progressEmitter.event;
  /** Fires after a crash, once the worker is gone; the next `get()` starts a new one. */
  readonly onDidCrash = this.crashEmitter.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
  ) {}

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
   * (missing model, unreadable index) callers get that error at once instead of a new worker per
   * hover; `retry` (indexing runs) or a settings change (stop()) tries again.
   */
  get(retry = false): Promise<EngineClient> {
    if (this.client?.alive) return Promise.resolve(this.client);
    if (this.openError && !retry) return Promise.reject(this.openError);
    this.opening ??= this.startAndOpen(++this.generation).finally(() => (this.opening = undefined));
    return this.opening;
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
    const client = EngineClient.start({
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
      await client.stop().catch(() => undefined);
      const message = errorMessage(e);
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
    this.log.error(`engine crashed: ${reason}; it restarts on the next request`);
    this.setState('error', reason);
    this.crashEmitter.fire(reason);
    void vscode.window.showErrorMessage(`Paper Atlas engine stopped unexpectedly (${reason}). It restarts on next use.`, 'Show Log').then((choice) => {
      if (choice === 'Show Log') void vscode.commands.executeCommand(Commands.showLog.id);
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

  /** Stops the worker by message (settings changed, rebuild, deactivate). The next `get()` reopens. */
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
  }
}
