/**
 * Native failure containment on the host side: EngineManager with the real EngineClient and a real
 * worker thread that runs a fake engine (this same file, started as a worker), so a worker can be
 * made to die in the middle of a request without loading ONNX. Checks that pending requests end
 * instead of hanging, that the crash is reported once with a way to restart, that crash loops back
 * off, and that nothing starts in an untrusted workspace.
 */
import { fake, fakeLog } from './fakeVscode';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { isMainThread, parentPort } from 'node:worker_threads';
import { createMessageConnection, PortMessageReader, PortMessageWriter } from 'vscode-jsonrpc/node';
import type * as vscode from 'vscode';
import { EngineClient, type EngineClientOptions } from '../../../src/engine/engineClient';
import { CrashBackoff } from '../../../src/host/engine/crashBackoff';
import { EngineManager, EngineUnavailableError, RESTART_ENGINE, SHOW_LOG } from '../../../src/host/engine/engineManager';
import { raceCancellation } from '../../../src/host/hover/citationHoverProvider';
import { IndexingController } from '../../../src/host/indexing/indexingController';
import { PaperCatalog } from '../../../src/host/library/paperCatalog';
import { GetDiagnostics, GetInfo, GetTopicMap, IndexPaths, ListPapers, OpenEngine, SearchPapers, Shutdown, type EngineInfo } from '../../../src/shared/engineProtocol';

/** The fake engine: answers like the real one; query "die" exits mid-request, "hang" never answers. */
function runFakeEngine(): void {
  const port = parentPort!;
  const connection = createMessageConnection(new PortMessageReader(port), new PortMessageWriter(port));
  const info = (dbDir: string): EngineInfo => ({
    dbDir,
    model: 'fake',
    modelDir: '/fake',
    dims: 4,
    provider: 'cpu',
    providerAttempts: [],
    table: 'papers_fake',
    otherTables: [],
    papers: 1,
    indices: { vector: false, fullText: false },
    diagnostics: 0,
  });
  let dbDir = '';
  connection.onRequest(OpenEngine, (o) => {
    dbDir = o.dbDir;
    if (o.model === 'die-on-open') setTimeout(() => process.exit(7), 10);
    return o.model === 'die-on-open' ? new Promise<EngineInfo>(() => undefined) : info(dbDir);
  });
  connection.onRequest(GetInfo, () => info(dbDir));
  connection.onRequest(SearchPapers, (p) => {
    if (p.query === 'die') setTimeout(() => process.exit(3), 20);
    if (p.query === 'die' || p.query === 'hang') return new Promise<never>(() => undefined);
    return [{ id: 'a2020', title: 'A paper', score: 1, authors: [], source: '/workspace/library.bib:1' }];
  });
  connection.onRequest(IndexPaths, (p) => ({
    files: p.paths.length,
    filesRead: p.paths.length,
    added: 1,
    updated: 0,
    unchanged: 0,
    removed: 0,
    skippedFiles: 0,
    embedded: 1,
    diagnostics: 0,
    papers: 1,
    seconds: 0,
    provider: 'cpu',
    model: 'fake',
  }));
  connection.onRequest(ListPapers, () => ({
    total: 1,
    papers: [{ id: 'a2020', title: 'A paper', authors: [], abstract: '', keywords: [], sources: [{ file: '/workspace/library.bib', line: 1, format: 'bibtex' }] } as never],
  }));
  connection.onRequest(GetTopicMap, () => ({ clusters: [], points: [] }));
  connection.onRequest(GetDiagnostics, () => []);
  connection.onRequest(Shutdown, () => {
    setImmediate(() => process.exit(0));
  });
  connection.listen();
}

/** Rejects when `p` has not settled after `ms`: a hang fails the test instead of stalling it. */
function settlesWithin<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} still pending after ${ms} ms`)), ms)));
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

const tick = (ms = 50): Promise<void> => new Promise((r) => setTimeout(r, ms));

function setup(backoff?: CrashBackoff): { manager: EngineManager; starts: () => number; log: ReturnType<typeof fakeLog>; dispose(): Promise<void> } {
  fake.reset();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'atlas-host-engine-'));
  const context = { storageUri: { fsPath: dir }, globalStorageUri: { fsPath: dir } } as unknown as vscode.ExtensionContext;
  const log = fakeLog();
  let started = 0;
  const startClient = (o: EngineClientOptions): EngineClient => {
    started++;
    return EngineClient.start({ ...o, workerPath: __filename });
  };
  const manager = new EngineManager(context, log as unknown as vscode.LogOutputChannel, { startClient, ...(backoff ? { backoff } : {}) });
  return {
    manager,
    starts: () => started,
    log,
    dispose: async () => {
      await manager.stop();
      manager.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

if (!isMainThread) {
  runFakeEngine();
} else {
  test('a worker that dies mid-request: pending requests reject, the crash is reported once with Restart Engine, the next get() starts a new worker', async () => {
    const s = setup();
    try {
      const crashes: string[] = [];
      s.manager.onDidCrash((r) => crashes.push(r));
      const first = await s.manager.get();
      assert.equal((await first.search({ query: 'ok', k: 3 }))[0]?.id, 'a2020');
      const waiting = first.search({ query: 'hang', k: 3 }); // another caller's request, in flight at the crash
      const dying = first.search({ query: 'die', k: 3 });
      await assert.rejects(settlesWithin(dying, 5000, 'the request the worker died in'));
      await assert.rejects(settlesWithin(waiting, 5000, 'a request pending when the worker died'));
      await tick();
      assert.equal(crashes.length, 1, 'one crash, reported once');
      assert.match(crashes[0]!, /exit code 3/);
      assert.equal(s.manager.state, 'error');
      const errors = fake.messages.filter((m) => m.kind === 'error');
      assert.equal(errors.length, 1, JSON.stringify(fake.messages));
      assert.match(errors[0]!.text, /^Paper Atlas engine stopped unexpectedly \(.*exit code 3.*\)\. It restarts on next use\.$/);
      assert.deepEqual(errors[0]!.items, [RESTART_ENGINE, SHOW_LOG]);
      assert.ok(!first.alive);

      const second = await settlesWithin(s.manager.get(), 5000, 'a fresh engine');
      assert.notEqual(second, first);
      assert.equal(s.starts(), 2);
      assert.equal((await second.search({ query: 'ok', k: 3 })).length, 1);
      assert.equal(s.manager.state, 'ready');
    } finally {
      await s.dispose();
    }
  });

  test('a hover waiting on the engine when it dies resolves without related work, well before its time limit', async () => {
    const s = setup();
    try {
      const token = { isCancellationRequested: false, onCancellationRequested: () => ({ dispose: () => undefined }) } as unknown as vscode.CancellationToken;
      const started = Date.now();
      const related = await raceCancellation(
        s.manager.get().then((c) => c.search({ query: 'die', k: 4 })),
        token,
        20_000,
      );
      assert.equal(related, undefined);
      assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
    } finally {
      await s.dispose();
    }
  });

  test('a worker that dies while opening is reported as a crash, not remembered as a broken model', async () => {
    const s = setup();
    try {
      fake.config.encoderModel = 'die-on-open';
      await assert.rejects(settlesWithin(s.manager.get(), 5000, 'opening'), /stopped while opening/);
      await tick();
      assert.equal(fake.messages.filter((m) => m.kind === 'error').length, 1);
      fake.config.encoderModel = 'fake';
      const client = await settlesWithin(s.manager.get(), 5000, 'the second start');
      assert.ok(client.alive);
    } finally {
      await s.dispose();
    }
  });

  test('crashes in a row back off, then stay stopped until the user restarts the engine', async () => {
    let now = 1_000_000;
    const s = setup(new CrashBackoff({ baseMs: 2000, maxCrashes: 3, windowMs: 600_000, now: () => now }));
    try {
      const restarts: number[] = [];
      s.manager.onDidRequestRestart(() => restarts.push(now));
      const crash = async (): Promise<void> => {
        const c = await s.manager.get();
        await assert.rejects(c.search({ query: 'die', k: 1 }));
        await tick();
      };
      await crash(); // 1st: restarts at once
      await crash(); // 2nd: waits 2 s
      assert.equal(s.starts(), 2);
      await assert.rejects(s.manager.get(), (e: unknown) => e instanceof EngineUnavailableError && /restarts in 2 s/.test(e.message));
      assert.equal(s.starts(), 2, 'no worker started during the back-off');
      assert.match(fake.messages.at(-1)!.text, /It restarts on use after 2 s\.$/);
      now += 2000;
      fake.answer = RESTART_ENGINE; // the user will click Restart Engine on the next notification
      await crash(); // 3rd: stays stopped
      assert.equal(s.starts(), 3);
      assert.match(fake.messages.at(-1)!.text, /crashed 3 times in a short while and stays stopped until you restart it\.$/);
      assert.equal(restarts.length, 1, 'Restart Engine in the notification asked for a restart');
      // restart() forgot the crashes: the next request starts a worker again.
      const client = await s.manager.get();
      assert.ok(client.alive);
      assert.equal(s.starts(), 4);
    } finally {
      await s.dispose();
    }
  });

  test('in an untrusted workspace the engine does not start and nothing indexes; once trusted it does', async () => {
    const s = setup();
    const catalog = new PaperCatalog(s.log as unknown as vscode.LogOutputChannel);
    const indexing = new IndexingController(s.manager, catalog, s.log as unknown as vscode.LogOutputChannel);
    try {
      fake.trusted = false;
      fake.config.include = ['**/*.bib'];
      fake.files = ['/workspace/library.bib'];
      await assert.rejects(s.manager.get(), (e: unknown) => e instanceof EngineUnavailableError && /untrusted/.test(e.message));
      assert.equal(await indexing.index('startup'), undefined);
      assert.equal(await indexing.rebuild(), undefined);
      assert.equal(s.starts(), 0, 'no engine worker in an untrusted workspace');
      assert.equal(catalog.size, 0);
      assert.ok(
        fake.messages.some((m) => m.kind === 'info' && /does not index untrusted workspaces/.test(m.text) && m.items.includes('Manage Workspace Trust')),
        'Rebuild says why nothing happens',
      );
      // The same calls in a trusted workspace do start the engine and index: the gate is what held them.
      fake.trusted = true;
      const summary = await indexing.index('trust granted');
      assert.equal(summary?.papers, 1);
      assert.equal(s.starts(), 1);
      assert.equal(catalog.get('a2020')?.title, 'A paper');
    } finally {
      indexing.dispose();
      catalog.dispose();
      await s.dispose();
    }
  });
}
