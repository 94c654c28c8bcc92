/**
 * Native failure containment on the host side: EngineManager with the real EngineClient and a real
 * engine process that runs a fake engine (this same file, forked with ENGINE_PROCESS_ARG), so the
 * engine can be made to die in the middle of a request (exit, SIGKILL, SIGSEGV, SIGABRT) without
 * loading ONNX. Checks that pending requests end instead of hanging, that the crash is reported once
 * with its reason and a way to restart, that crash loops back off, that stopping asks first and kills
 * only after the grace period, that cancellation reaches the engine, and that nothing starts in an
 * untrusted workspace.
 */
import { fake, fakeLog } from './fakeVscode';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createMessageConnection, IPCMessageReader, IPCMessageWriter } from 'vscode-jsonrpc/node';
import type * as vscode from 'vscode';
import { EngineClient, type EngineClientOptions } from '../../../src/engine/client/engineClient';
import { ENGINE_PROCESS_ARG } from '../../../src/engine/client/engineEnvironment';

/** This file is also the fake engine: EngineClient forks it with ENGINE_PROCESS_ARG. */
const inEngineProcess = process.argv.includes(ENGINE_PROCESS_ARG);
import { CrashBackoff } from '../../../src/host/engine/crashBackoff';
import { EngineManager, EngineUnavailableError, RESTART_ENGINE, SHOW_LOG } from '../../../src/host/engine/engineManager';
import { raceCancellation } from '../../../src/host/hover/citationHoverProvider';
import { IndexingController } from '../../../src/host/indexing/indexingController';
import { PaperCatalog } from '../../../src/host/library/paperCatalog';
import { CancellationTokenSource, ResponseError } from 'vscode-jsonrpc/node';
import { EngineErrorCode, GetDiagnostics, GetInfo, GetTopicMap, IndexPaths, ListPapers, OpenEngine, SearchPapers, Shutdown, type EngineInfo } from '../../../src/shared/engineProtocol';

/**
 * The fake engine: answers like the real one; query "die" exits mid-request, "hang" never answers,
 * "wait-for-cancel" answers only when the caller cancels (with the engine's Cancelled error) and
 * counts that in the next "cancelled?" answer. With --ignore-shutdown it answers Shutdown but stays.
 */
function runFakeEngine(): void {
  const connection = createMessageConnection(new IPCMessageReader(process), new IPCMessageWriter(process));
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
  let cancelled = 0;
  connection.onRequest(SearchPapers, (p, token) => {
    if (p.query === 'wait-for-cancel') {
      // A cancel that arrived before the request was dispatched comes as an already-cancelled token,
      // whose event never fires: check first, as the real engine does.
      return new Promise<never>((_, reject) => {
        const drop = (): void => {
          cancelled++;
          reject(new ResponseError(EngineErrorCode.Cancelled, 'cancelled'));
        };
        if (token.isCancellationRequested) drop();
        else token.onCancellationRequested(drop);
      });
    }
    if (p.query === 'cancelled?') return [{ id: `cancelled-${cancelled}`, title: '', score: 0, authors: [], source: '' }];
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
    if (!process.argv.includes('--ignore-shutdown')) setImmediate(() => process.exit(0));
  });
  // Stay alive after the channel closes too (--ignore-shutdown): only kill() ends this one.
  if (process.argv.includes('--ignore-shutdown')) setInterval(() => undefined, 1000);
  connection.listen();
}

/** Rejects when `p` has not settled after `ms`: a hang fails the test instead of stalling it. */
function settlesWithin<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} still pending after ${ms} ms`)), ms)));
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

const tick = (ms = 50): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Whether a process with this id still runs. */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function setup(backoff?: CrashBackoff): { manager: EngineManager; starts: () => number; log: ReturnType<typeof fakeLog>; dispose(): Promise<void> } {
  fake.reset();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'atlas-host-engine-'));
  const context = { storageUri: { fsPath: dir }, globalStorageUri: { fsPath: dir } } as unknown as vscode.ExtensionContext;
  const log = fakeLog();
  let started = 0;
  const startClient = (o: EngineClientOptions): EngineClient => {
    started++;
    return EngineClient.start({ ...o, enginePath: __filename });
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

if (inEngineProcess) {
  runFakeEngine();
} else {
  test('an engine that exits mid-request: pending requests reject, the crash is reported once with Restart Engine, the next get() starts a new one', async () => {
    const s = setup();
    try {
      const crashes: string[] = [];
      s.manager.onDidCrash((r) => crashes.push(r));
      const first = await s.manager.get();
      assert.equal((await first.search({ query: 'ok', k: 3 }))[0]?.id, 'a2020');
      const waiting = first.search({ query: 'hang', k: 3 }); // another caller's request, in flight at the crash
      const dying = first.search({ query: 'die', k: 3 });
      await assert.rejects(settlesWithin(dying, 5000, 'the request the engine died in'));
      await assert.rejects(settlesWithin(waiting, 5000, 'a request pending when the engine died'));
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

  for (const signal of ['SIGKILL', 'SIGSEGV', 'SIGABRT'] as const) {
    const posix = process.platform === 'win32' ? 'Windows has no POSIX signals' : false;
    test(`an engine process killed by ${signal} mid-request: the caller survives, the crash names the signal once, the next request works`, { skip: posix }, async () => {
      const s = setup();
      try {
        const crashes: string[] = [];
        s.manager.onDidCrash((r) => crashes.push(r));
        const first = await s.manager.get();
        const pending = first.search({ query: 'hang', k: 3 });
        await tick();
        process.kill(first.pid!, signal);
        await assert.rejects(settlesWithin(pending, 5000, `the request in flight at ${signal}`), (e: Error) => e.name === 'EngineStoppedError' && e.message.includes(`killed by ${signal}`));
        await tick();
        assert.deepEqual(crashes, [`killed by ${signal}`]);
        const errors = fake.messages.filter((m) => m.kind === 'error');
        assert.equal(errors.length, 1, JSON.stringify(fake.messages));
        assert.equal(errors[0]!.text, `Paper Atlas engine stopped unexpectedly (killed by ${signal}). It restarts on next use.`);
        assert.deepEqual(errors[0]!.items, [RESTART_ENGINE, SHOW_LOG]);
        const second = await settlesWithin(s.manager.get(), 5000, 'a fresh engine');
        assert.notEqual(second.pid, first.pid);
        assert.equal((await second.search({ query: 'ok', k: 3 }))[0]?.id, 'a2020');
      } finally {
        await s.dispose();
      }
    });
  }

  test('stop() asks first: an engine that answers the shutdown and ends is not killed; one that stays is killed after the grace period', async () => {
    const polite = EngineClient.start({ enginePath: __filename });
    const politePid = polite.pid!;
    await polite.search({ query: 'ok', k: 1 });
    const started = Date.now();
    await polite.stop(5000);
    assert.ok(Date.now() - started < 2000, `a polite engine ended in ${Date.now() - started} ms, without waiting for the grace period`);
    assert.ok(!running(politePid));

    const stubborn = EngineClient.start({ enginePath: __filename, args: ['--ignore-shutdown'] });
    const pid = stubborn.pid!;
    await stubborn.search({ query: 'ok', k: 1 });
    const asked = Date.now();
    await settlesWithin(stubborn.stop(300), 5000, 'stop of an engine that ignores the shutdown');
    assert.ok(Date.now() - asked >= 300, 'it was given the grace period');
    assert.ok(!running(pid), 'then killed');
    assert.ok(!stubborn.alive);
  });

  test('cancelling a search reaches the engine, which drops the request', async () => {
    const engine = EngineClient.start({ enginePath: __filename });
    try {
      const cancel = new CancellationTokenSource();
      const search = engine.search({ query: 'wait-for-cancel', k: 1 }, cancel);
      await tick();
      cancel.cancel();
      await assert.rejects(settlesWithin(search, 5000, 'the cancelled search'), (e: unknown) => e instanceof ResponseError && e.code === EngineErrorCode.Cancelled);
      assert.equal((await engine.search({ query: 'cancelled?', k: 1 }))[0]?.id, 'cancelled-1');
    } finally {
      await engine.stop();
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

  test('an engine that dies while opening is reported as a crash, not remembered as a broken model', async () => {
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
      assert.equal(s.starts(), 2, 'no engine started during the back-off');
      assert.match(fake.messages.at(-1)!.text, /It restarts on use after 2 s\.$/);
      now += 2000;
      fake.answer = RESTART_ENGINE; // the user will click Restart Engine on the next notification
      await crash(); // 3rd: stays stopped
      assert.equal(s.starts(), 3);
      assert.match(fake.messages.at(-1)!.text, /crashed 3 times in a short while and stays stopped until you restart it\.$/);
      assert.equal(restarts.length, 1, 'Restart Engine in the notification asked for a restart');
      // restart() forgot the crashes: the next request starts an engine again.
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
      assert.equal(s.starts(), 0, 'no engine process in an untrusted workspace');
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
