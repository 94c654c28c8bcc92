/**
 * writeFileAtomic / writeJsonAtomic (src/engine/node/atomicFile.ts): a reader, or a crash mid-write,
 * sees the old file or the new one, never part of one. A write made to fail midway (the process's
 * file-size limit stops it after 8 KiB) keeps the old content and leaves no temp file; a reader in
 * another process never reads a torn file while writes go on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../../../src/engine/node/atomicFile';

const BIG = 1 << 20;

/** Child modes: this file run again, as the lock racers of indexLock.test.ts are. */
if (process.env.ATLAS_ATOMIC_WRITE) {
  const file = process.env.ATLAS_ATOMIC_WRITE;
  if (process.env.ATLAS_ATOMIC_LOOP) {
    // Writer: whole files of one letter, alternating, until the time is up; then a marker.
    const until = Date.now() + Number(process.env.ATLAS_ATOMIC_LOOP);
    let n = 0;
    while (Date.now() < until) writeFileAtomic(file, Buffer.alloc(BIG, n++ % 2 ? 'b' : 'a'));
    writeFileSync(`${file}.done`, String(n));
  } else {
    try {
      writeFileAtomic(file, Buffer.alloc(BIG, 'n'));
      process.stdout.write('written\n');
    } catch (e) {
      process.stdout.write(`failed: ${(e as NodeJS.ErrnoException).code}\n`);
    }
  }
} else {
  const tempDir = (): string => mkdtempSync(path.join(os.tmpdir(), 'atlas-atomic-'));
  const childEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
    delete env.NODE_TEST_CONTEXT; // the child reports on stdout, not to this test runner
    return env;
  };

  test('a write replaces the file whole and leaves no temp file; JSON is compact or indented with a newline', () => {
    const dir = tempDir();
    const file = path.join(dir, 'state.json');
    writeFileSync(file, 'old');
    writeFileAtomic(file, 'new');
    assert.equal(readFileSync(file, 'utf8'), 'new');
    writeJsonAtomic(file, { a: [1, 2] });
    assert.equal(readFileSync(file, 'utf8'), '{"a":[1,2]}');
    writeJsonAtomic(file, { a: 1 }, { indent: 2 });
    assert.equal(readFileSync(file, 'utf8'), '{\n  "a": 1\n}\n');
    assert.deepEqual(readdirSync(dir), ['state.json']);
    rmSync(dir, { recursive: true, force: true });
  });

  test('a value JSON cannot hold throws and leaves the old file as it was', () => {
    const dir = tempDir();
    const file = path.join(dir, 'state.json');
    writeFileSync(file, '{"old":true}');
    assert.throws(() => writeJsonAtomic(file, { n: 1n }), /BigInt/);
    assert.equal(readFileSync(file, 'utf8'), '{"old":true}');
    assert.deepEqual(readdirSync(dir), ['state.json']);
    rmSync(dir, { recursive: true, force: true });
  });

  test('a write that fails midway keeps the old content and removes its temp file', (t) => {
    if (process.platform === 'win32') return t.skip('needs a POSIX shell for `ulimit -f` (the file-size limit that stops the write)');
    const dir = tempDir();
    const file = path.join(dir, 'state.json');
    writeFileSync(file, 'old content');
    // `ulimit -f 8`: writes past 8 KiB fail with EFBIG (node ignores SIGXFSZ), after 8 KiB of the
    // 1 MiB have reached the temp file. Root is held to the limit too.
    const child = spawnSync('/bin/sh', ['-c', 'ulimit -f 8 && exec "$0" "$1"', process.execPath, __filename], {
      env: childEnv({ ATLAS_ATOMIC_WRITE: file }),
      encoding: 'utf8',
    });
    const verdict = child.stdout.split('\n').find((l) => l === 'written' || l.startsWith('failed: '));
    assert.equal(verdict, 'failed: EFBIG', `${child.stdout}\n${child.stderr}`);
    assert.equal(readFileSync(file, 'utf8'), 'old content');
    assert.deepEqual(readdirSync(dir), ['state.json']);
    rmSync(dir, { recursive: true, force: true });
  });

  test('a reader in another process never sees a torn file while writes go on', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'map.json');
    writeFileAtomic(file, Buffer.alloc(BIG, 'a'));
    const writer = spawn(process.execPath, [__filename], { env: childEnv({ ATLAS_ATOMIC_WRITE: file, ATLAS_ATOMIC_LOOP: '1500' }), stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => writer.on('exit', resolve));
    const whole = { a: Buffer.alloc(BIG, 'a'), b: Buffer.alloc(BIG, 'b') };
    let reads = 0;
    const torn: string[] = [];
    const deadline = Date.now() + 30_000;
    while (!existsSync(`${file}.done`) && Date.now() < deadline) {
      const bytes = readFileSync(file);
      reads++;
      if (!bytes.equals(whole.a) && !bytes.equals(whole.b)) torn.push(`${bytes.length} bytes, starting ${bytes.subarray(0, 8).toString()}`);
      if (reads % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(await exited, 0, 'the writer finished');
    const writes = Number(readFileSync(`${file}.done`, 'utf8'));
    assert.ok(writes > 10 && reads > 10, `${writes} writes, ${reads} reads overlapped`);
    assert.deepEqual(torn.slice(0, 5), [], `${torn.length} of ${reads} reads saw part of a file`);
    assert.deepEqual(readdirSync(dir).sort(), ['map.json', 'map.json.done'], 'no temp file is left');
    rmSync(dir, { recursive: true, force: true });
  });
}
