/**
 * Rebuild Index with `paperAtlas.indexLocation` pointing at a folder the user also keeps other things
 * in (a workspace's settings can choose it). Runs IndexingController and EngineManager with the real
 * EngineClient and a fake engine process (this same file, forked) that opens, locks and clears the
 * folder with the real rules (claimIndexFolder, acquireIndexLock), so the engine's failures are real
 * ones: a folder that is not an index, a damaged table, a lock another process holds.
 */
import { fake, fakeLog } from './fakeVscode';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { createMessageConnection, IPCMessageReader, IPCMessageWriter, ResponseError } from 'vscode-jsonrpc/node';
import type * as vscode from 'vscode';
import { EngineClient, type EngineClientOptions } from '../../../src/engine/client/engineClient';
import { ENGINE_PROCESS_ARG } from '../../../src/engine/client/engineEnvironment';

/** This file is also the fake engine: EngineClient forks it with ENGINE_PROCESS_ARG. */
const inEngineProcess = process.argv.includes(ENGINE_PROCESS_ARG);
import { acquireIndexLock, IndexBusyError } from '../../../src/engine/index/indexLock';
import { claimIndexFolder, INDEX_MARKER } from '../../../src/engine/client/indexMarker';
import { EngineManager } from '../../../src/host/engine/engineManager';
import { IndexingController, REBUILD, REBUILD_CONFIRM_PAPERS } from '../../../src/host/indexing/indexingController';
import { PaperCatalog } from '../../../src/host/library/paperCatalog';
import {
  ClearIndex,
  EngineErrorCode,
  GetDiagnostics,
  GetInfo,
  GetTopicMap,
  IndexPaths,
  ListPapers,
  OpenEngine,
  Shutdown,
  type EngineInfo,
} from '../../../src/shared/engineProtocol';

/** The fake engine's one table: a folder whose `count` file holds its number of papers; `corrupt` in it fails the open. */
const TABLE = 'papers__fake__0123456789.lance';

function runFakeEngine(): void {
  const connection = createMessageConnection(new IPCMessageReader(process), new IPCMessageWriter(process));
  let dbDir = '';
  const papers = (): number => (existsSync(path.join(dbDir, TABLE, 'count')) ? Number(readFileSync(path.join(dbDir, TABLE, 'count'), 'utf8')) : 0);
  const info = (): EngineInfo => ({
    dbDir,
    model: 'fake',
    modelDir: '/fake',
    dims: 4,
    provider: 'cpu',
    providerAttempts: [],
    table: TABLE,
    otherTables: [],
    papers: papers(),
    indices: { vector: false, fullText: false },
    diagnostics: 0,
  });
  connection.onRequest(OpenEngine, (o) => {
    dbDir = o.dbDir;
    claimIndexFolder(dbDir);
    if (existsSync(path.join(dbDir, TABLE, 'corrupt'))) throw new ResponseError(-32603, `lance error: corrupt manifest in ${TABLE}`);
    mkdirSync(path.join(dbDir, TABLE), { recursive: true });
    return info();
  });
  connection.onRequest(GetInfo, info);
  connection.onRequest(ClearIndex, () => {
    try {
      const release = acquireIndexLock(dbDir);
      rmSync(path.join(dbDir, TABLE, 'count'), { force: true });
      release();
    } catch (e) {
      throw e instanceof IndexBusyError ? new ResponseError(EngineErrorCode.Busy, e.message) : e;
    }
  });
  connection.onRequest(IndexPaths, (p) => {
    writeFileSync(path.join(dbDir, TABLE, 'count'), String(p.paths.length));
    return { files: p.paths.length, filesRead: p.paths.length, added: p.paths.length, updated: 0, unchanged: 0, removed: 0, skippedFiles: 0, embedded: p.paths.length, diagnostics: 0, papers: papers(), seconds: 0, provider: 'cpu', model: 'fake' };
  });
  connection.onRequest(ListPapers, () => ({ total: 0, papers: [] }));
  connection.onRequest(GetTopicMap, () => ({ clusters: [], points: [] }));
  connection.onRequest(GetDiagnostics, () => []);
  connection.onRequest(Shutdown, () => {
    setImmediate(() => process.exit(0));
  });
  connection.listen();
}

const work = !inEngineProcess ? mkdtempSync(path.join(os.tmpdir(), 'atlas-rebuild-')) : '';
after(() => rmSync(work, { recursive: true, force: true }));

/** A controller over a fresh engine manager whose index is `indexLocation`. */
function setup(indexLocation: string): { indexing: IndexingController; manager: EngineManager; dispose(): Promise<void> } {
  fake.reset();
  fake.config.indexLocation = indexLocation;
  fake.config.include = ['**/*.bib'];
  fake.files = ['/workspace/library.bib'];
  const storage = mkdtempSync(path.join(work, 'storage-'));
  const context = { storageUri: { fsPath: storage }, globalStorageUri: { fsPath: storage } } as unknown as vscode.ExtensionContext;
  const log = fakeLog() as unknown as vscode.LogOutputChannel;
  const manager = new EngineManager(context, log, { startClient: (o: EngineClientOptions) => EngineClient.start({ ...o, enginePath: __filename }) });
  const catalog = new PaperCatalog(log);
  const indexing = new IndexingController(manager, catalog, log);
  return {
    indexing,
    manager,
    dispose: async () => {
      indexing.dispose();
      catalog.dispose();
      await manager.stop();
      manager.dispose();
    },
  };
}

/** Every path under `dir` with the text of its files: what a rebuild must not change. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rel of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const full = path.join(dir, rel);
    out[rel] = existsSync(full) && !readdirSafe(full) ? readFileSync(full, 'utf8') : '<dir>';
  }
  return out;
}
function readdirSafe(p: string): boolean {
  try {
    readdirSync(p);
    return true;
  } catch {
    return false;
  }
}

/** The user's folder: a thesis, and optionally an index an older version put next to it. */
function userFolder(name: string, index?: { papers: number; corrupt?: boolean }): string {
  const dir = path.join(work, name);
  mkdirSync(path.join(dir, 'chapters'), { recursive: true });
  writeFileSync(path.join(dir, 'thesis.tex'), '\\documentclass{book}');
  writeFileSync(path.join(dir, 'chapters', 'one.tex'), 'Chapter one');
  if (index) {
    writeFileSync(path.join(dir, INDEX_MARKER), '{"format":1}');
    mkdirSync(path.join(dir, TABLE));
    writeFileSync(path.join(dir, TABLE, 'count'), String(index.papers));
    if (index.corrupt) writeFileSync(path.join(dir, TABLE, 'corrupt'), '');
    writeFileSync(path.join(dir, 'keywords__df.json'), '{}');
  }
  return dir;
}

/** A live process that holds the index lock of `dir`, as a CLI run indexing there would. */
function lockedByAnotherProcess(dir: string): { release(): void } {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
  writeFileSync(path.join(dir, 'index.lock'), JSON.stringify({ pid: child.pid, since: new Date().toISOString(), token: 'other' }));
  return { release: () => child.kill('SIGKILL') };
}

const errors = (): string[] => fake.messages.filter((m) => m.kind === 'error').map((m) => m.text);

if (inEngineProcess) {
  runFakeEngine();
} else {
  test('indexLocation is a folder of the user\'s that is not an index: Rebuild deletes nothing and says why', async () => {
    const dir = userFolder('thesis');
    const before = snapshot(dir);
    const s = setup(dir);
    try {
      assert.equal(await s.indexing.rebuild(), undefined);
      assert.deepEqual(snapshot(dir), before, 'every file of the folder is still there, unchanged');
      assert.equal(errors().length, 1, JSON.stringify(fake.messages));
      assert.match(errors()[0]!, /^Paper Atlas: cannot rebuild the index — .*thesis is not a Paper Atlas index \(it has no \.paper-atlas-index\); nothing was deleted$/);
    } finally {
      await s.dispose();
    }
  });

  test('an index that cannot open, in a folder that also holds the user\'s files: Rebuild removes only the index\'s files, then indexes again', async () => {
    const dir = userFolder('thesis-with-index', { papers: 5, corrupt: true });
    const s = setup(dir);
    try {
      const summary = await s.indexing.rebuild();
      assert.equal(summary?.papers, 1, JSON.stringify(fake.messages));
      assert.equal(readFileSync(path.join(dir, 'thesis.tex'), 'utf8'), '\\documentclass{book}');
      assert.equal(readFileSync(path.join(dir, 'chapters', 'one.tex'), 'utf8'), 'Chapter one');
      assert.ok(existsSync(path.join(dir, INDEX_MARKER)), 'the folder stays an index');
      assert.ok(!existsSync(path.join(dir, TABLE, 'corrupt')), 'the damaged table is gone');
      assert.ok(!existsSync(path.join(dir, 'keywords__df.json')));
      assert.deepEqual(errors(), []);
    } finally {
      await s.dispose();
    }
  });

  test('a locked index is an error, not a reason to delete: neither when the engine cannot open nor when it can', async () => {
    for (const corrupt of [true, false]) {
      const dir = userFolder(`locked-${corrupt ? 'corrupt' : 'open'}`, { papers: 5, corrupt });
      const lock = lockedByAnotherProcess(dir);
      const s = setup(dir);
      try {
        const before = snapshot(dir);
        assert.equal(await s.indexing.rebuild(), undefined);
        assert.deepEqual(snapshot(dir), before, `nothing deleted (engine ${corrupt ? 'cannot open' : 'open'})`);
        assert.equal(errors().length, 1, JSON.stringify(fake.messages));
        assert.match(errors()[0]!, /^Paper Atlas: cannot rebuild the index — the index at .* is being updated by another process \(pid \d+, since /);
      } finally {
        lock.release();
        await s.dispose();
      }
    }
  });

  test('Rebuild of a large index asks first in a modal dialog; dismissing it keeps the index; a small index is rebuilt at once', async () => {
    const dir = path.join(work, 'large');
    mkdirSync(path.join(dir, TABLE), { recursive: true });
    writeFileSync(path.join(dir, INDEX_MARKER), '{"format":1}');
    writeFileSync(path.join(dir, TABLE, 'count'), String(REBUILD_CONFIRM_PAPERS + 500));
    const s = setup(dir);
    try {
      await s.manager.get();
      fake.answer = undefined; // the dialog's Cancel (or Escape)
      assert.equal(await s.indexing.rebuild(), undefined);
      const asked = fake.messages.filter((m) => m.kind === 'warning');
      assert.equal(asked.length, 1, JSON.stringify(fake.messages));
      assert.equal(asked[0]!.modal, true);
      assert.deepEqual(asked[0]!.items, [REBUILD]);
      assert.match(asked[0]!.text, /^Rebuild the index from scratch\? Its 1,500 papers are removed and the whole library is read and embedded again/);
      assert.equal(readFileSync(path.join(dir, TABLE, 'count'), 'utf8'), '1500', 'not confirmed: the index is kept');

      fake.answer = REBUILD;
      assert.equal((await s.indexing.rebuild())?.papers, 1, 'confirmed: cleared and indexed again');

      fake.messages = [];
      fake.answer = undefined;
      assert.equal((await s.indexing.rebuild())?.papers, 1, 'one paper: no question asked');
      assert.deepEqual(fake.messages.filter((m) => m.kind === 'warning'), []);
    } finally {
      await s.dispose();
    }
  });
}

if (!inEngineProcess) {
  test('files the include globs find inside the index folder (an indexLocation in the workspace) are not library files', async () => {
    const dir = path.join(work, 'workspace-index');
    const s = setup(dir);
    try {
      fake.config.include = ['**/*.bib', '**/*.json'];
      fake.files = ['/workspace/library.bib', path.join(dir, 'keywords__df.json'), path.join(dir, 'papers__m__0123456789.state.json'), `${dir}-notes/refs.json`];
      assert.deepEqual(await s.indexing.libraryFiles(), [`${dir}-notes/refs.json`, '/workspace/library.bib'].sort());
    } finally {
      await s.dispose();
    }
  });
}
