/**
 * The indexing experience: finds the workspace's library files with the include/exclude globs, hands
 * them to the engine, shows progress (a cancellable notification for runs longer than a moment, the
 * status bar always), re-indexes incrementally when a library file changes (debounced; the engine
 * skips files whose size and mtime are unchanged) and publishes malformed entries to Problems.
 * Nothing is indexed in an untrusted workspace (package.json declares `untrustedWorkspaces:
 * limited`): indexing runs a model over the workspace's files, with settings the workspace chooses.
 */
import * as vscode from 'vscode';
import { notificationText, plainText } from '../../core/displayText';
import { progressText } from '../../core/progressText';
import { CancellationTokenSource as RpcCancellationTokenSource } from 'vscode-jsonrpc/node';
import type { EngineClient } from '../../engine/client/engineClient';
import { clearIndexFolder, isInsideFolder } from '../../engine/client/indexMarker';
import { EngineErrorCode, type IndexProgress, type IndexSummary } from '../../shared/engineProtocol';
import type { IngestDiagnostic } from '../../shared/paper';
import { Commands } from '../commands/commandTable';
import { readConfig } from '../config';
import { EngineUnavailableError, type EngineManager } from '../engine/engineManager';
import type { PaperCatalog } from '../library/paperCatalog';
import { errorMessage } from '../atlasContext';

export type IndexState = 'idle' | 'indexing' | 'ready' | 'error';

const WATCH_DEBOUNCE_MS = 800;
const NOTIFY_AFTER_MS = 1200;
/** Index size at which Rebuild asks first: embedding a thousand papers again takes minutes on a laptop CPU. */
export const REBUILD_CONFIRM_PAPERS = 1000;
export const REBUILD = 'Rebuild';

function isCancelled(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === EngineErrorCode.Cancelled;
}

export function globUnion(globs: readonly string[]): string | undefined {
  if (globs.length === 0) return undefined;
  return globs.length === 1 ? globs[0] : `{${globs.join(',')}}`;
}

export class IndexingController implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly statusItem: vscode.StatusBarItem;
  private readonly problems: vscode.DiagnosticCollection;
  private watchers: vscode.Disposable[] = [];
  private running: Promise<IndexSummary | undefined> | undefined;
  private queued: Promise<IndexSummary | undefined> | undefined;
  private debounce: ReturnType<typeof setTimeout> | undefined;
  private current: RpcCancellationTokenSource | undefined;
  private progress: IndexProgress | undefined;
  private _state: IndexState = 'idle';
  private _lastSummary: IndexSummary | undefined;
  private readonly doneEmitter = new vscode.EventEmitter<IndexSummary | undefined>();
  /** Fires after every indexing run (with its summary, or undefined when it failed or was cancelled). */
  readonly onDidIndex = this.doneEmitter.event;

  constructor(
    private readonly engine: EngineManager,
    private readonly catalog: PaperCatalog,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.statusItem = vscode.window.createStatusBarItem('paperAtlas.status', vscode.StatusBarAlignment.Left, 10);
    this.statusItem.name = 'Paper Atlas';
    this.statusItem.command = Commands.showLog.id;
    this.problems = vscode.languages.createDiagnosticCollection('paper-atlas');
    this.disposables.push(
      this.statusItem,
      this.problems,
      this.doneEmitter,
      engine.onDidChangeState(() => this.render()),
      engine.onProgress((p) => {
        this.progress = p;
        this.render();
      }),
      engine.onDidCrash(() => {
        this.current = undefined;
        this.setState('error');
      }),
      // A crash may have cut an indexing run short: index again once the user restarts the engine.
      engine.onDidRequestRestart(() => void this.index('engine restarted', { notifyAfterMs: 0 })),
      catalog.onDidChange(() => this.render()),
    );
    this.render();
    this.statusItem.show();
  }

  get state(): IndexState {
    return this._state;
  }
  get lastSummary(): IndexSummary | undefined {
    return this._lastSummary;
  }

  private setState(state: IndexState): void {
    this._state = state;
    void vscode.commands.executeCommand('setContext', 'paperAtlas.indexing', state === 'indexing');
    this.render();
  }

  private render(): void {
    const info = this.engine.info;
    const count = this.catalog.size || info?.papers || 0;
    const provider = info?.provider ?? '—';
    const item = this.statusItem;
    item.backgroundColor = undefined;
    if (this._state === 'indexing') {
      const p = this.progress;
      const pct = p && p.total > 0 && p.phase === 'embedding' ? ` ${Math.round((100 * p.done) / p.total)}%` : '';
      item.text = `$(sync~spin) Paper Atlas: indexing${pct}`;
      item.tooltip = plainText(`Indexing library files${p ? `: ${progressText(p, { file: true })}` : ''}. Click for the log.`);
    } else if (!vscode.workspace.isTrusted) {
      item.text = '$(shield) Paper Atlas';
      item.tooltip = 'Paper Atlas does not index untrusted workspaces. Click for the log.';
    } else if (this._state === 'error' || this.engine.state === 'error') {
      item.text = '$(error) Paper Atlas';
      item.tooltip = plainText(`Paper Atlas: ${this.engine.lastError ?? 'indexing failed'}. Click for the log.`);
      item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
    } else {
      item.text = `$(library) ${count} ${count === 1 ? 'paper' : 'papers'} · ${provider}`;
      item.tooltip = `Paper Atlas: ${this._state === 'ready' ? 'ready' : 'idle'} — ${count} papers indexed${info ? ` with ${info.model} on ${info.provider}` : ''}. Click for the log.`;
    }
    item.accessibilityInformation = { label: `${item.text.replace(/\$\([^)]*\)\s*/g, '')}`, role: 'button' };
  }

  /** Library files of the workspace, by the include/exclude settings. */
  async libraryFiles(token?: vscode.CancellationToken): Promise<string[]> {
    const config = readConfig();
    const include = globUnion(config.include);
    if (!include || !vscode.workspace.workspaceFolders?.length) return [];
    const uris = await vscode.workspace.findFiles(include, globUnion(config.exclude) ?? null, undefined, token);
    // The index folder may lie in the workspace (paperAtlas.indexLocation); its files are never a library.
    const indexDir = this.engine.indexDir();
    return [...new Set(uris.filter((u) => u.scheme === 'file' && !isInsideFolder(u.fsPath, indexDir)).map((u) => u.fsPath))].sort();
  }

  /** Watches the include globs; changes re-index after a short quiet period. */
  watch(): void {
    for (const w of this.watchers) w.dispose();
    this.watchers = [];
    const include = globUnion(readConfig().include);
    if (!include) return;
    const watcher = vscode.workspace.createFileSystemWatcher(include);
    const onChange = (uri: vscode.Uri): void => {
      // Writes to the index folder are the index's own: re-indexing on them would loop.
      if (uri.scheme !== 'file' || isInsideFolder(uri.fsPath, this.engine.indexDir())) return;
      this.log.debug(`library file changed: ${uri.fsPath}`);
      this.scheduleReindex();
    };
    this.watchers.push(watcher, watcher.onDidChange(onChange), watcher.onDidCreate(onChange), watcher.onDidDelete(onChange));
  }

  scheduleReindex(delayMs = WATCH_DEBOUNCE_MS): void {
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      void this.index('file change', { notifyAfterMs: 3000 });
    }, delayMs);
  }

  /**
   * One indexing run at a time. A request during a run queues one more run after it (requests
   * during the same run share it), and its promise is that later run's, so callers always get a
   * summary that covers the files as they were when they asked.
   */
  index(reason: string, options: { notifyAfterMs?: number } = {}): Promise<IndexSummary | undefined> {
    if (!this.trusted(reason, options.notifyAfterMs === 0)) return Promise.resolve(undefined);
    if (this.running) {
      this.queued ??= this.running
        .catch(() => undefined)
        .then(() => {
          this.queued = undefined;
          return this.index(reason, options);
        });
      return this.queued;
    }
    this.running = this.runIndex(reason, options.notifyAfterMs ?? NOTIFY_AFTER_MS).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** False in an untrusted workspace; a run the user asked for (`explain`) says why nothing happens. */
  private trusted(what: string, explain: boolean): boolean {
    if (vscode.workspace.isTrusted) return true;
    this.log.info(`not indexing (${what}): the workspace is not trusted`);
    if (explain) {
      void vscode.window.showInformationMessage('Paper Atlas does not index untrusted workspaces. Trust this workspace to index its library.', 'Manage Workspace Trust').then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
      });
    }
    return false;
  }

  /** Waits until no run is in progress or queued (tests and commands that need a settled index). */
  async whenIdle(): Promise<void> {
    while (this.running || this.queued) await (this.queued ?? this.running)?.catch(() => undefined);
  }

  private async runIndex(reason: string, notifyAfterMs: number): Promise<IndexSummary | undefined> {
    const files = await this.libraryFiles();
    this.log.info(`indexing (${reason}): ${files.length} library files`);
    if (files.length === 0) {
      // Every library file was excluded or deleted: the index must not keep their papers for search.
      if (this.catalog.size > 0) {
        try {
          const client = await this.engine.get(true);
          await client.index([], undefined, { emptyLibrary: true });
        } catch (e) {
          this.log.warn(`could not empty the index: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      this.catalog.clear();
      this.problems.clear();
      this.setState('ready');
      await vscode.commands.executeCommand('setContext', 'paperAtlas.hasPapers', false);
      this.doneEmitter.fire(undefined);
      return undefined;
    }
    this.progress = undefined;
    this.setState('indexing');
    const cancel = new RpcCancellationTokenSource();
    this.current = cancel;
    const crashesBefore = this.engine.crashCount;
    let finished = false;
    let notification: Thenable<void> | undefined;
    const timer = setTimeout(() => {
      if (finished) return;
      notification = vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Paper Atlas: indexing', cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => cancel.cancel());
          let last = 0;
          const sub = this.engine.onProgress((p) => {
            const pct = p.total > 0 ? Math.round((100 * p.done) / p.total) : 0;
            const weight = p.phase === 'embedding' ? pct : 0;
            // The file name is library input: VS Code would turn `[x](command:…)` in it into a live link.
            progress.report({ message: notificationText(progressText(p, { file: true })), increment: Math.max(0, weight - last) });
            last = Math.max(last, weight);
          });
          try {
            while (!finished) await new Promise((r) => setTimeout(r, 100));
          } finally {
            sub.dispose();
          }
        },
      );
    }, notifyAfterMs);
    try {
      const client = await this.engine.get(true);
      const summary = await client.index(files, cancel);
      this._lastSummary = summary;
      this.log.info(
        `indexed in ${summary.seconds.toFixed(1)} s: ${summary.papers} papers (+${summary.added} ~${summary.updated} -${summary.removed}, ${summary.unchanged} unchanged), ${summary.embedded} embedded on ${summary.provider}, ${summary.diagnostics} diagnostics`,
      );
      await this.catalog.refresh(client, readConfig().clusterCount);
      await this.engine.refreshInfo();
      await this.publishDiagnostics(await client.diagnostics());
      await vscode.commands.executeCommand('setContext', 'paperAtlas.hasPapers', this.catalog.size > 0);
      this.setState('ready');
      this.doneEmitter.fire(summary);
      return summary;
    } catch (e) {
      if (isCancelled(e)) {
        this.log.info('indexing cancelled');
        this.setState('ready');
      } else if (this.engine.crashCount !== crashesBefore || e instanceof EngineUnavailableError) {
        // The engine's own notification already says it crashed (with Restart Engine); one is enough.
        this.log.error(`indexing stopped: ${errorMessage(e)}`);
        this.setState('error');
      } else {
        this.log.error(`indexing failed: ${errorMessage(e)}`);
        this.setState('error');
        void vscode.window.showErrorMessage(notificationText(`Paper Atlas: indexing failed — ${errorMessage(e)}`), 'Show Log', 'Select Model…').then((choice) => {
          if (choice === 'Show Log') void vscode.commands.executeCommand(Commands.showLog.id);
          if (choice === 'Select Model…') void vscode.commands.executeCommand(Commands.selectModel.id);
        });
      }
      this.doneEmitter.fire(undefined);
      return undefined;
    } finally {
      finished = true;
      clearTimeout(timer);
      this.current = undefined;
      await notification;
    }
  }

  cancel(): void {
    this.current?.cancel();
  }

  /**
   * Forgets everything indexed with the current model (the engine's ClearIndex) and indexes again;
   * asks first when that throws away a large index. An engine that cannot open (a damaged index) has
   * nothing to clear: then only the index's own files go (clearIndexFolder: the marker must prove the
   * folder is an index, the index lock must be free, anything else in the folder stays). A failed
   * clear, a locked index included, is reported and deletes nothing.
   */
  async rebuild(): Promise<IndexSummary | undefined> {
    if (!this.trusted('rebuild', true)) return undefined;
    const papers = this.catalog.size || this.engine.info?.papers || 0;
    if (papers >= REBUILD_CONFIRM_PAPERS) {
      const choice = await vscode.window.showWarningMessage(
        `Rebuild the index from scratch? Its ${papers.toLocaleString('en-US')} papers are removed and the whole library is read and embedded again, which can take several minutes.`,
        { modal: true },
        REBUILD,
      );
      if (choice !== REBUILD) {
        this.log.info('rebuild not confirmed; the index is kept');
        return undefined;
      }
    }
    this.cancel();
    // The clear and the run after it hold the one run slot together: a run started in between (a file
    // watcher's, after a save) would index into a half-cleared store, and the rebuild's own run would
    // then find nothing to embed. Requests meanwhile queue behind the rebuild, as behind any run.
    while (this.running || this.queued) await this.whenIdle();
    const rebuilt = this.clearAndIndex();
    this.running = rebuilt.finally(() => {
      this.running = undefined;
    });
    return rebuilt;
  }

  private async clearAndIndex(): Promise<IndexSummary | undefined> {
    this.log.info('rebuilding the index of the current model');
    let client: EngineClient | undefined;
    try {
      client = await this.engine.get();
    } catch (e) {
      const dir = this.engine.indexDir();
      this.log.warn(`the engine cannot open (${errorMessage(e)}); clearing the index files in ${dir} without it`);
      await this.engine.stop();
      try {
        const removed = clearIndexFolder(dir);
        this.log.info(`removed ${removed.length} index entries from ${dir}: ${removed.join(', ')}`);
      } catch (clearError) {
        return this.rebuildFailed(clearError);
      }
    }
    try {
      await client?.clearIndex();
    } catch (e) {
      return this.rebuildFailed(e);
    }
    this.catalog.clear();
    return this.runIndex('rebuild', 0);
  }

  private rebuildFailed(e: unknown): undefined {
    this.log.error(`rebuild failed, nothing was deleted: ${errorMessage(e)}`);
    void vscode.window.showErrorMessage(`Paper Atlas: cannot rebuild the index — ${errorMessage(e)}`, 'Show Log').then((choice) => {
      if (choice) void vscode.commands.executeCommand(Commands.showLog.id);
    });
    return undefined;
  }

  private async publishDiagnostics(list: readonly IngestDiagnostic[]): Promise<void> {
    this.problems.clear();
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const d of list) {
      const line = Math.max(0, d.line - 1);
      const diag = new vscode.Diagnostic(
        new vscode.Range(line, 0, line, d.line > 0 ? 1000 : 0),
        d.message,
        d.severity === 'error' ? vscode.DiagnosticSeverity.Error : d.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information,
      );
      diag.source = 'Paper Atlas';
      const entries = byFile.get(d.file) ?? [];
      entries.push(diag);
      byFile.set(d.file, entries);
    }
    for (const [file, diags] of byFile) this.problems.set(vscode.Uri.file(file), diags);
    await Promise.resolve();
  }

  dispose(): void {
    if (this.debounce) clearTimeout(this.debounce);
    this.cancel();
    for (const w of this.watchers) w.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
