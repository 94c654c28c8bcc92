/**
 * Folder discovery on hostile trees: symbolic-link loops (a `..` link, two of them, two folders that
 * link each other), the same file reached by two paths, and an index folder inside the library.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { discoverLibraryFiles } from '../../../src/engine/index/libraryFiles';

const bib = (key: string): string => `@article{${key}, title = {A paper called ${key}}, year = {2020}}\n`;

function tree(): { root: string; done(): void } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'atlas-discovery-'));
  return { root, done: () => rmSync(root, { recursive: true, force: true }) };
}

function write(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** Rejects when discovery has not finished after `ms`: a loop fails the test instead of stalling it. */
async function discoverWithin(ms: number, ...args: Parameters<typeof discoverLibraryFiles>): Promise<Awaited<ReturnType<typeof discoverLibraryFiles>>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`discovery still running after ${ms} ms`)), ms)));
  try {
    return await Promise.race([discoverLibraryFiles(...args), limit]);
  } finally {
    clearTimeout(timer);
  }
}

test('a `..` link inside the library is not followed round: the file is found once', async () => {
  const t = tree();
  try {
    const lib = path.join(t.root, 'lib');
    write(path.join(lib, 'sub', 'a.bib'), bib('a'));
    symlinkSync('..', path.join(lib, 'sub', 'up'));
    const { files, missing } = await discoverWithin(10_000, [lib]);
    assert.deepEqual(files, [path.join(lib, 'sub', 'a.bib')]);
    assert.deepEqual(missing, []);
    // The same through a glob that crosses the link.
    const globbed = await discoverWithin(10_000, [`${lib}/**/*.bib`]);
    assert.deepEqual(globbed.files, [path.join(lib, 'sub', 'a.bib')]);
  } finally {
    t.done();
  }
});

test('two `..` links (paths that double at every level) finish at once with each file once', async () => {
  const t = tree();
  try {
    const lib = path.join(t.root, 'lib');
    write(path.join(lib, 'a', 'a.bib'), bib('a'));
    write(path.join(lib, 'b', 'b.bib'), bib('b'));
    symlinkSync('..', path.join(lib, 'a', 'up'));
    symlinkSync('..', path.join(lib, 'b', 'up'));
    symlinkSync('.', path.join(lib, 'self'));
    const started = Date.now();
    const { files } = await discoverWithin(10_000, [lib]);
    assert.deepEqual(files, [path.join(lib, 'a', 'a.bib'), path.join(lib, 'b', 'b.bib')]);
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
  } finally {
    t.done();
  }
});

test('two folders outside the library that link each other: entered once each, not round and round', async () => {
  const t = tree();
  try {
    const lib = path.join(t.root, 'lib');
    const x = path.join(t.root, 'x');
    const y = path.join(t.root, 'y');
    write(path.join(lib, 'own.bib'), bib('own'));
    write(path.join(x, 'x.bib'), bib('x'));
    write(path.join(y, 'y.bib'), bib('y'));
    symlinkSync(y, path.join(x, 'toY'));
    symlinkSync(x, path.join(y, 'toX'));
    symlinkSync(x, path.join(lib, 'linked'));
    const { files } = await discoverWithin(10_000, [lib]);
    // A library linked into the workspace is still read (that is what following links is for).
    assert.deepEqual(files, [path.join(lib, 'linked', 'toY', 'y.bib'), path.join(lib, 'linked', 'x.bib'), path.join(lib, 'own.bib')]);
  } finally {
    t.done();
  }
});

test('one file reached by several paths (a file link, a folder link, two inputs) is read once, by its most direct path', async () => {
  const t = tree();
  try {
    const lib = path.join(t.root, 'lib');
    write(path.join(lib, 'papers', 'a.bib'), bib('a'));
    symlinkSync(path.join(lib, 'papers', 'a.bib'), path.join(lib, 'alias.bib'));
    symlinkSync(path.join(lib, 'papers'), path.join(lib, 'mirror'));
    const { files } = await discoverWithin(10_000, [lib, path.join(lib, 'mirror'), path.join(lib, 'papers', 'a.bib')]);
    assert.deepEqual(files, [path.join(lib, 'alias.bib')]);
  } finally {
    t.done();
  }
});

test('the index folder is never read as a library, wherever it lies in the tree', async () => {
  const t = tree();
  try {
    const lib = path.join(t.root, 'lib');
    const index = path.join(lib, 'notes', 'my-index');
    write(path.join(lib, 'refs.bib'), bib('refs'));
    write(path.join(index, '.paper-atlas-index'), '{"format":1}');
    write(path.join(index, 'papers__m__0123456789.state.json'), '{"files":{}}');
    write(path.join(index, 'keywords__df.json'), '{}');
    symlinkSync(index, path.join(lib, 'index-link'));
    const { files } = await discoverWithin(10_000, [lib], { indexDir: index });
    assert.deepEqual(files, [path.join(lib, 'refs.bib')]);
    // Named directly (a file or the folder itself), it is refused with the reason.
    const direct = await discoverWithin(10_000, [path.join(index, 'keywords__df.json'), index], { indexDir: index });
    assert.deepEqual(direct.files, []);
    assert.equal(direct.missing.length, 2);
    for (const m of direct.missing) assert.match(m, /inside the index folder, which is not a library$/);
  } finally {
    t.done();
  }
});
