/**
 * The index folder is the user's choice (`--db`, `paperAtlas.indexLocation`): an index is never
 * created in someone else's non-empty folder, clearing one without the engine deletes only the
 * index's own files, a locked index is not cleared, and an index folder inside the library is not read
 * as part of it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EngineClient } from '../../../src/engine/client/engineClient';
import { IndexBusyError } from '../../../src/engine/index/indexLock';
import { claimIndexFolder, clearIndexFolder, INDEX_MARKER, isIndexEntry, isIndexFolder } from '../../../src/engine/client/indexMarker';
import { writeSelectedModel } from '../../../src/engine/models/modelSelection';
import { packageRoot } from '../../../src/engine/node/packageRoot';
import { PaperStore } from '../../../src/engine/store/paperStore';

let work: string;
before(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'atlas-index-folder-'));
});
after(() => rmSync(work, { recursive: true, force: true }));

/** A folder of another program: a thesis with its own files and a subfolder. */
function thesisFolder(name: string): string {
  const dir = path.join(work, name);
  mkdirSync(path.join(dir, 'chapters'), { recursive: true });
  writeFileSync(path.join(dir, 'thesis.tex'), '\\documentclass{book}');
  writeFileSync(path.join(dir, 'chapters', 'one.tex'), 'Chapter one');
  return dir;
}

const listing = (dir: string): string[] => readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();

test('an index is not created in a non-empty folder that is not an index: one-line refusal, nothing written', async () => {
  const dir = thesisFolder('thesis-open');
  const before = listing(dir);
  await assert.rejects(PaperStore.open(dir, 'papers__m__0123456789', 4), (e: Error) => {
    assert.match(e.message, /thesis-open is not a Paper Atlas index and is not empty \(it holds "chapters", "thesis\.tex"\); choose an empty folder or an existing index$/);
    assert.ok(!e.message.includes('\n'), 'one line');
    return true;
  });
  assert.deepEqual(listing(dir), before, 'the folder is untouched');
  assert.throws(() => writeSelectedModel(dir, 'encoder', 'atlas-mini-encoder'), /is not a Paper Atlas index and is not empty/);
  assert.deepEqual(listing(dir), before, 'choosing a model does not write there either');
});

test('a missing or empty folder becomes an index; an index stays one even when something else lands in it', async () => {
  for (const dir of [path.join(work, 'fresh', 'nested'), path.join(work, 'empty')]) {
    if (dir.endsWith('empty')) mkdirSync(dir);
    const store = await PaperStore.open(dir, 'papers__m__0123456789', 4);
    store.close();
    assert.ok(isIndexFolder(dir));
    writeFileSync(path.join(dir, 'notes.txt'), 'a note the user put here later');
    (await PaperStore.open(dir, 'papers__m__0123456789', 4)).close();
  }
  // Operating-system litter does not make a folder someone's.
  const litter = path.join(work, 'litter');
  mkdirSync(litter);
  writeFileSync(path.join(litter, '.DS_Store'), '');
  claimIndexFolder(litter);
  assert.ok(isIndexFolder(litter));
});

test('a folder holding only index files (an index made before the marker) is claimed as an index', async () => {
  const dir = path.join(work, 'old-index');
  const first = await PaperStore.open(dir, 'papers__m__0123456789', 4);
  first.close();
  writeFileSync(path.join(dir, 'papers__m__0123456789.state.json'), '{"files":{}}');
  writeFileSync(path.join(dir, 'keywords__df.json'), '{}');
  writeFileSync(path.join(dir, 'atlas-settings.json'), '{}');
  rmSync(path.join(dir, INDEX_MARKER));
  (await PaperStore.open(dir, 'papers__m__0123456789', 4)).close();
  assert.ok(isIndexFolder(dir));
});

test('clearing an index without the engine removes only the index files; the marker, the folder and anything else stay', async () => {
  const dir = path.join(work, 'mixed');
  (await PaperStore.open(dir, 'papers__m__0123456789', 4)).close();
  (await PaperStore.open(dir, 'papers__other__abcdef0123', 4)).close();
  writeFileSync(path.join(dir, 'papers__m__0123456789.state.json'), '{"files":{}}');
  writeFileSync(path.join(dir, 'papers__m__0123456789.topics.json'), '{}');
  writeFileSync(path.join(dir, 'keywords__atlas-mini-mlm.json'), '{}');
  writeFileSync(path.join(dir, 'atlas-settings.json'), '{}');
  // What the user put into the index folder (an older version allowed it) is theirs.
  writeFileSync(path.join(dir, 'thesis.tex'), '\\documentclass{book}');
  mkdirSync(path.join(dir, 'figures'));
  writeFileSync(path.join(dir, 'figures', 'papers__plot.png'), 'png');
  const removed = clearIndexFolder(dir);
  assert.deepEqual(removed, [
    '__manifest',
    'atlas-settings.json',
    'keywords__atlas-mini-mlm.json',
    'papers__m__0123456789.lance',
    'papers__m__0123456789.state.json',
    'papers__m__0123456789.topics.json',
    'papers__other__abcdef0123.lance',
  ]);
  assert.deepEqual(readdirSync(dir).sort(), [INDEX_MARKER, 'figures', 'thesis.tex']);
  assert.equal(readFileSync(path.join(dir, 'figures', 'papers__plot.png'), 'utf8'), 'png');
  // The folder is still an index and opens empty.
  const store = await PaperStore.open(dir, 'papers__m__0123456789', 4);
  assert.equal(await store.count(), 0);
  store.close();
});

test('clearing refuses a folder without the marker and an index another process is writing; nothing is deleted', async () => {
  const thesis = thesisFolder('thesis-clear');
  const before = listing(thesis);
  assert.throws(() => clearIndexFolder(thesis), /thesis-clear is not a Paper Atlas index \(it has no \.paper-atlas-index\); nothing was deleted$/);
  assert.deepEqual(listing(thesis), before);

  const dir = path.join(work, 'locked');
  (await PaperStore.open(dir, 'papers__m__0123456789', 4)).close();
  const held = listing(dir);
  const writer = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)']);
  try {
    writeFileSync(path.join(dir, 'index.lock'), JSON.stringify({ pid: writer.pid, since: 'now', token: 'x' }));
    assert.throws(() => clearIndexFolder(dir), (e: unknown) => e instanceof IndexBusyError && /being updated by another process/.test(e.message));
    assert.deepEqual(listing(dir), [...held, 'index.lock'].sort());
  } finally {
    writer.kill('SIGKILL');
  }
});

test('through the engine: --db on a foreign folder is a one-line open error; an index folder inside the library is not indexed', async () => {
  const options = (dbDir: string): Parameters<EngineClient['open']>[0] => ({ dbDir, model: 'atlas-mini-encoder', providers: ['cpu'], threads: 2, batchSize: 16 });
  const library = path.join(work, 'library');
  cpSync(path.join(packageRoot(), 'test', 'fixtures', 'library'), library, { recursive: true });
  const engine = EngineClient.start();
  try {
    const thesis = thesisFolder('thesis-engine');
    await assert.rejects(engine.open(options(thesis)), (e: Error) => /is not a Paper Atlas index and is not empty/.test(e.message) && !e.message.includes('\n'));
    assert.ok(!existsSync(path.join(thesis, INDEX_MARKER)));

    const dbDir = path.join(library, 'index');
    await engine.open(options(dbDir));
    const first = await engine.index([library]);
    // The index now holds JSON files (state, keywords) a folder walk would take for CSL-JSON libraries.
    writeFileSync(path.join(dbDir, 'keywords__df.json'), '[{"id":"fake","title":"A fake paper from the index folder"}]');
    const second = await engine.index([library]);
    assert.equal(second.files, first.files, 'the index folder adds no library files');
    assert.equal(second.papers, first.papers);
    assert.equal(second.added, 0);
    // Every file the engine wrote (table, state, keyword caches, topic map, marker) is one clearing knows as the index's.
    await engine.keywords({ text: 'attention for machine translation', k: 3 });
    await engine.topicMap({ clusters: 2 });
    const written = readdirSync(dbDir);
    assert.ok(written.some((n) => n.endsWith('.topics.json')) && written.some((n) => n.startsWith('keywords__')), written.join(', '));
    assert.deepEqual(written.filter((n) => !isIndexEntry(n)), [], 'a file the engine writes that clearIndexFolder would not recognise');
  } finally {
    await engine.stop();
  }
});

test('a library emptied of every file empties the index only when the caller says so', async () => {
  const options = { dbDir: path.join(work, 'emptied-index'), model: 'atlas-mini-encoder', providers: ['cpu'], threads: 2, batchSize: 16 };
  const library = path.join(work, 'emptied-library');
  cpSync(path.join(packageRoot(), 'test', 'fixtures', 'library'), library, { recursive: true });
  const engine = EngineClient.start();
  try {
    await engine.open(options);
    const first = await engine.index([library]);
    assert.ok(first.papers > 0);
    // A CLI path that matched nothing is a mistake, not a request to empty the index.
    await assert.rejects(engine.index([]), /no library files found/);
    assert.equal((await engine.listPapers(0, 1)).total, first.papers);
    // Every file excluded or deleted in the workspace: their papers must leave search.
    const emptied = await engine.index([], undefined, { emptyLibrary: true });
    assert.equal(emptied.papers, 0);
    assert.equal(emptied.removed, first.papers);
    assert.equal((await engine.listPapers(0, 1)).total, 0);
  } finally {
    await engine.stop();
  }
});
