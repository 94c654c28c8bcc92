/**
 * Storage failures (issue #7 item 2): a read-only index folder and a full disk give a clear message,
 * never corruption — the index still opens afterwards with what it had, can still be searched while
 * read-only, and the next run after the problem is fixed completes exactly.
 *
 * The CLI runs as a child. Root ignores file modes, so as root the children run as `nobody`; the
 * full disk is a real 4 MB tmpfs, which only root can mount (elsewhere that test is skipped).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnOptions } from 'node:child_process';
import { chmodSync, closeSync, cpSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../../../src/engine/node/packageRoot';
import { CLI, generatedBib, readIndex, runCli } from './indexProbe';

const isRoot = process.getuid?.() === 0;
/** As root, children drop to nobody so that file modes apply to them. */
const asUser: SpawnOptions = isRoot ? { uid: 65534, gid: 65534 } : {};
/** Why the read-only tests cannot run here, if they cannot: as root, nobody must be able to run the CLI. */
function readOnlySkip(): string | false {
  if (process.platform === 'win32') return 'file modes do not make a folder read-only on Windows';
  if (!isRoot) return false;
  const probe = spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(CLI)}, require('fs').constants.R_OK)`], asUser);
  return probe.status === 0 ? false : `running as root, and user nobody cannot read ${CLI}: read-only tests skipped`;
}

let work: string;
before(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'atlas-disk-'));
  chmodSync(work, 0o755); // nobody must reach the library and the index
});
after(() => {
  chmodRecursive(work, true);
  rmSync(work, { recursive: true, force: true });
});

function chmodRecursive(target: string, writable: boolean): void {
  const st = statSync(target);
  if (st.isDirectory()) for (const name of readdirSync(target)) chmodRecursive(path.join(target, name), writable);
  chmodSync(target, st.isDirectory() ? (writable ? 0o777 : 0o555) : writable ? 0o666 : 0o444);
}

function library(name: string): string {
  const dir = path.join(work, name);
  cpSync(path.join(packageRoot(), 'test', 'fixtures', 'library'), dir, { recursive: true });
  chmodRecursive(dir, true);
  return dir;
}

const index = (lib: string, dbDir: string, options: SpawnOptions = {}): ReturnType<typeof runCli> =>
  runCli(['index', lib, '--db', dbDir, '--providers', 'cpu', '--json'], { cwd: work, ...options });

/** The folder holds exactly these ids, once each, and the engine opens it. */
async function assertIntact(dbDir: string, ids: number, what: string): Promise<void> {
  const contents = await readIndex(dbDir);
  assert.deepEqual(contents.duplicates, [], what);
  assert.equal(contents.rows, ids, what);
  const info = await runCli(['info', '--db', dbDir, '--json'], { cwd: work });
  assert.equal(info.code, 0, `${what}: ${info.stderr}`);
  assert.equal((JSON.parse(info.stdout) as { papers: number }).papers, ids, what);
}

for (const [n, scope] of (['the whole index folder', 'the table folder only'] as const).entries()) {
  test(`read-only ${scope}: searching works, indexing says why it cannot, nothing is damaged`, { skip: readOnlySkip() }, async () => {
    const lib = library(`lib-ro-${n}`);
    const dbDir = path.join(work, `db-ro-${n}`);
    const first = await index(lib, dbDir);
    assert.equal(first.code, 0, first.stderr);
    chmodRecursive(dbDir, true);
    writeFileSync(path.join(lib, 'more.bib'), generatedBib('more', 40));
    const table = readdirSync(dbDir).find((n) => n.endsWith('.lance'));
    assert.ok(table);
    chmodRecursive(scope === 'the whole index folder' ? dbDir : path.join(dbDir, table), false);
    try {
      const search = await runCli(['search', 'gravitational waves', '--db', dbDir, '--json', '--k', '2'], { cwd: work, ...asUser });
      assert.equal(search.code, 0, `search of a read-only index: ${search.stderr}`);
      assert.equal((JSON.parse(search.stdout) as unknown[]).length, 2);

      const refused = await index(lib, dbDir, asUser);
      const message = refused.stderr.trim().split('\n').at(-1) ?? '';
      console.log(`read-only (${scope}): exit ${refused.code}: ${message}`);
      assert.equal(refused.code, 1);
      assert.equal(message, `paper-atlas: no permission to write in the index folder ${dbDir}: indexing needs write access there (searching still works); fix its permissions or choose another index folder`);
    } finally {
      chmodRecursive(dbDir, true);
    }
    await assertIntact(dbDir, 6, 'after the refused run');
    const again = await index(lib, dbDir);
    assert.equal(again.code, 0, again.stderr);
    assert.equal((JSON.parse(again.stdout) as { embedded: number }).embedded, 40);
    await assertIntact(dbDir, 46, 'after the next run');
  });
}

/** Mounts a 4 MB tmpfs; undefined where that is not allowed (not root, no mount, not Linux). */
function smallDisk(): string | undefined {
  if (process.platform !== 'linux' || !isRoot) return undefined;
  const dir = path.join(work, 'small-disk');
  mkdirSync(dir);
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=0777', 'tmpfs', dir]);
  return r.status === 0 ? dir : undefined;
}

/** Fills the disk, then gives back `leave` bytes. */
function fill(disk: string, leave: number): string {
  const filler = path.join(disk, 'filler');
  const fd = openSync(filler, 'w');
  const block = Buffer.alloc(64 * 1024, 120);
  let size = 0;
  try {
    for (;;) size += writeSync(fd, block);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  }
  ftruncateSync(fd, Math.max(0, size - leave));
  closeSync(fd);
  return filler;
}

test('a full disk stops indexing with a clear message; the index keeps what it had and the next run completes', async (t) => {
  const disk = smallDisk();
  if (!disk) {
    t.skip('a full disk needs a small tmpfs, which only root can mount on Linux: skipped');
    return;
  }
  try {
    const lib = library('lib-full');
    const dbDir = path.join(disk, 'db');
    const first = await index(lib, dbDir);
    assert.equal(first.code, 0, first.stderr);
    writeFileSync(path.join(lib, 'big.bib'), generatedBib('big', 600));
    // Completely full (the lock cannot be written), then full part-way through LanceDB's writes.
    for (const leave of [0, 160 * 1024]) {
      const filler = fill(disk, leave);
      const refused = await index(lib, dbDir);
      const message = refused.stderr.trim().split('\n').at(-1) ?? '';
      console.log(`full disk (${leave} bytes left): exit ${refused.code}: ${message}`);
      assert.equal(refused.code, 1);
      assert.equal(message, `paper-atlas: the disk holding the index folder ${dbDir} is full: free some space and index again (the papers indexed so far are kept)`);
      rmSync(filler);
      const contents = await readIndex(dbDir);
      assert.deepEqual(contents.duplicates, []);
      assert.ok(contents.rows === 6 || contents.rows === 606, `the run's one chunk is written whole or not at all: ${contents.rows}`);
      await assertIntact(dbDir, contents.rows, `after the full disk (${leave} bytes left)`);
    }
    const again = await index(lib, dbDir);
    assert.equal(again.code, 0, again.stderr);
    await assertIntact(dbDir, 606, 'after space was freed');
  } finally {
    spawnSync('umount', [disk]);
  }
});
