/**
 * Concurrency (issue #7 item 3): two index runs at once in one engine, two processes (stand-ins for
 * two VS Code windows) on one index folder, a reader in one process while another writes, and library
 * files edited, renamed and deleted while a run is indexing them. Never corruption, never a paper
 * twice; a refused writer gets a clear message; a second run makes the index match the files exactly.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mergePapers, readLibraryFile } from '../../../src/core/ingest/libraryReader';
import { EngineClient } from '../../../src/engine/client/engineClient';
import { discoverLibraryFiles } from '../../../src/engine/index/libraryFiles';
import { generatedBib, readIndex, runCli, startCli } from './indexProbe';

let work: string;
before(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'atlas-concurrent-'));
});
after(() => rmSync(work, { recursive: true, force: true }));

const open = (engine: EngineClient, dbDir: string): ReturnType<EngineClient['open']> =>
  engine.open({ dbDir, model: 'atlas-mini-encoder', providers: ['cpu'], threads: 1, batchSize: 32 });

/** What the index must hold for a folder: its files read by the engine's own parser. */
async function expectedIds(folder: string): Promise<Set<string>> {
  const { files } = await discoverLibraryFiles([folder]);
  return new Set(mergePapers(await Promise.all(files.map((f) => readLibraryFile(f)))).papers.map((p) => p.id));
}

test('two index requests at once in one engine: the second is refused as busy and no paper is stored twice', async () => {
  const library = path.join(work, 'same-engine');
  mkdirSync(library);
  writeFileSync(path.join(library, 'a.bib'), generatedBib('same', 120));
  const dbDir = path.join(work, 'db-same-engine');
  const engine = EngineClient.start();
  try {
    await open(engine, dbDir);
    const results = await Promise.allSettled([engine.index([library]), engine.index([library])]);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(refused.length, 1, JSON.stringify(results.map((r) => r.status)));
    assert.match(String((refused[0]?.reason as Error).message), /already being updated by this engine; try again when that run finishes/);
    const index = await readIndex(dbDir);
    assert.deepEqual(index.duplicates, []);
    assert.equal(index.rows, 120);
    // The lock was released: the next run goes through.
    assert.equal((await engine.index([library])).embedded, 0);
  } finally {
    await engine.stop();
  }
});

test('two processes on one index: one indexes, the other is told who holds it; a reader in a third keeps working', async () => {
  const library = path.join(work, 'two-windows');
  mkdirSync(library);
  const bib = path.join(library, 'library.bib');
  writeFileSync(bib, generatedBib('win', 300));
  const dbDir = path.join(work, 'db-two-windows');
  // Window C: a long-lived engine in this process, open before anything is indexed, that searches throughout.
  const reader = EngineClient.start();
  try {
    await open(reader, dbDir);
    const first = await runCli(['index', library, '--db', dbDir, '--providers', 'cpu', '--threads', '1']);
    assert.equal(first.code, 0, first.stderr);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // the reader looks for new indices once a second
    assert.equal((await reader.search({ query: 'protein folding', k: 3 })).length, 3);
    // The full-text index the other process built is used, not only the vectors.
    assert.ok((await reader.search({ query: 'win study 250', k: 5, mode: 'fts' })).some((h) => h.id === 'win250'));

    // Window A indexes 2,000 more papers (long enough to outlast B's start-up); window B starts
    // indexing while A is embedding.
    writeFileSync(bib, generatedBib('win', 2300));
    const a = startCli(['index', library, '--db', dbDir, '--providers', 'cpu', '--threads', '1', '--json']);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('window A never started embedding')), 60_000);
      a.child.stderr?.on('data', (s: string) => {
        if (/embedding/.test(s)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const b = await runCli(['index', library, '--db', dbDir, '--providers', 'cpu', '--threads', '1']);
    console.log(`second writer: exit ${b.code}: ${b.stderr.trim().split('\n').at(-1)}`);
    assert.equal(b.code, 1);
    const holder = new RegExp(`paper-atlas: the index at .* is being updated by another process \\(pid (\\d+), since [^)]+\\); try again when it finishes`).exec(b.stderr);
    assert.ok(holder, b.stderr);
    // The lock is held by A's engine, a child process of A's CLI.
    const holderPid = Number(holder[1]);
    const parentOf = (pid: number): number | undefined => {
      try {
        return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1]);
      } catch {
        return undefined;
      }
    };
    if (process.platform === 'linux') assert.equal(parentOf(holderPid), a.child.pid, `pid ${holderPid} is A's engine`);

    // The reader searches while A writes, compacts and cleans up old versions, and after.
    let searches = 0;
    let aDone = false;
    const aResult = a.done.then((r) => {
      aDone = true;
      return r;
    });
    while (!aDone) {
      assert.equal((await reader.search({ query: 'quantum circuit', k: 5 })).length, 5);
      searches++;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const aEnd = await aResult;
    assert.equal(aEnd.code, 0, aEnd.stderr);
    assert.equal((JSON.parse(aEnd.stdout) as { embedded: number }).embedded, 2000);
    const hits = await reader.search({ query: 'win study 2250', k: 50, mode: 'fts' });
    assert.ok(searches > 0);
    console.log(`reader: ${searches} searches while the other process indexed`);
    assert.ok(hits.some((h) => h.id === 'win2250'), 'the reader sees what the other process wrote');
    const index = await readIndex(dbDir);
    assert.deepEqual(index.duplicates, []);
    assert.deepEqual(new Set(index.ids), await expectedIds(library));
  } finally {
    await reader.stop();
  }
});

for (const moment of ['reading', 'embedding', 'optimising'] as const) {
  test(`library files edited, renamed and deleted while a run is ${moment}: the next run matches the files exactly`, async () => {
    const library = path.join(work, `changing-${moment}`);
    mkdirSync(library);
    const file = (name: string): string => path.join(library, name);
    writeFileSync(file('a.bib'), generatedBib('a', 150));
    writeFileSync(file('b.bib'), generatedBib('b', 150));
    writeFileSync(file('c.bib'), generatedBib('c', 150));
    const dbDir = path.join(work, `db-changing-${moment}`);
    let changed = false;
    const change = (): void => {
      if (changed) return;
      changed = true;
      // Edit a.bib: one entry's title changes, one entry goes, one comes.
      const a = readFileSync(file('a.bib'), 'utf8').replace('a study 3 of', 'a revised study 3 of').replace(/@article\{a7,[\s\S]*?\n\}\n/, '');
      writeFileSync(file('a.bib'), `${a}\n${generatedBib('a', 1, 500)}`);
      renameSync(file('b.bib'), file('b-renamed.bib'));
      rmSync(file('c.bib'));
    };
    const engine = EngineClient.start({ onProgress: (p) => p.phase === moment && change() });
    try {
      await open(engine, dbDir);
      // The run may finish with what it read before the change, or stop at a file that vanished; either way no damage.
      const during = await engine.index([library]).then((s) => `ok, ${s.papers} papers`, (e: Error) => `failed: ${e.message}`);
      assert.ok(changed, `the library was changed while ${moment}`);
      const second = await engine.index([library]);
      const expected = await expectedIds(library);
      const index = await readIndex(dbDir);
      assert.deepEqual(index.duplicates, []);
      assert.deepEqual(new Set(index.ids), expected, `run during the change: ${during}`);
      assert.equal(second.papers, 300); // a: 150 - 1 + 1, b (renamed): 150, c: deleted
      const [revised, renamed] = await engine.papers(['a3', 'b0']);
      assert.match(revised?.title ?? '', /^a revised study 3 of/);
      assert.deepEqual(
        renamed?.sources.map((s) => path.basename(s.file)),
        ['b-renamed.bib'],
      );
      // A third run has nothing left to do.
      const third = await engine.index([library]);
      assert.equal(third.embedded + third.updated + third.removed, 0);
    } finally {
      await engine.stop();
    }
  });
}
