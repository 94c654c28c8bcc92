/**
 * The file lock of src/engine/node/fileLock.ts under a name of its own (the index lock's own tests,
 * indexLock.test.ts, cover `index.lock`): processes racing for it get exactly one holder, a lock that
 * holds only a pid (how model downloads wrote theirs) is that process's lock, the private files of a
 * dead process are removed by lock name without touching another lock's, and one thread cannot take
 * the lock twice.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { acquireFileLock, type LockRefusal } from '../../../src/engine/node/fileLock';
import { raceForLock, runAsRacer } from './lockRace';

const LOCK = 'tiny-encoder.lock';

class Refused extends Error {
  constructor(readonly why: LockRefusal) {
    super(why.reason === 'held-elsewhere' ? `held by pid ${why.owner.pid}` : why.reason);
  }
}
const take = (file: string): (() => void) => acquireFileLock(file, (why) => new Refused(why));

if (!runAsRacer('ATLAS_FILE_LOCK_RACER', take)) {
  const tempDir = (): string => mkdtempSync(path.join(os.tmpdir(), 'atlas-file-lock-'));
  const DEAD = 2 ** 22 + 4321;

  for (const stale of [false, true]) {
    test(`six processes racing for ${stale ? 'a dead process\'s pid-only' : 'a free'} lock: exactly one holds it`, async () => {
      for (let round = 0; round < Number(process.env.ATLAS_LOCK_ROUNDS ?? 2); round++) {
        const dir = tempDir();
        const file = path.join(dir, LOCK);
        if (stale) writeFileSync(file, String(DEAD));
        const { verdicts, pids } = await raceForLock(__filename, 'ATLAS_FILE_LOCK_RACER', file, 6);
        assert.equal(verdicts.filter((v) => v === 'won').length, 1, verdicts.join('\n'));
        const winner = pids[verdicts.indexOf('won')];
        for (const v of verdicts.filter((x) => x !== 'won')) assert.equal(v, `refused: held by pid ${winner}`);
        assert.deepEqual(readdirSync(dir), [], 'the winner released its lock and nothing else is left');
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  test('a pid-only lock of a live process is its lock; of a dead process, stale and taken over', () => {
    const dir = tempDir();
    const file = path.join(dir, LOCK);
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)']);
    try {
      writeFileSync(file, String(child.pid));
      assert.throws(() => take(file), (e: unknown) => e instanceof Refused && e.why.reason === 'held-elsewhere' && e.why.owner.pid === child.pid);
      assert.equal(readFileSync(file, 'utf8'), String(child.pid), 'a live holder\'s lock is left alone');
    } finally {
      child.kill('SIGKILL');
    }
    writeFileSync(file, String(DEAD));
    const release = take(file);
    assert.equal((JSON.parse(readFileSync(file, 'utf8')) as { pid: number }).pid, process.pid);
    release();
    assert.ok(!existsSync(file));
    rmSync(dir, { recursive: true, force: true });
  });

  test('one thread cannot take the lock twice; released, it can', () => {
    const dir = tempDir();
    const file = path.join(dir, LOCK);
    const release = take(file);
    assert.throws(() => take(file), (e: unknown) => e instanceof Refused && e.why.reason === 'held-here');
    release();
    take(file)();
    assert.deepEqual(readdirSync(dir), []);
    rmSync(dir, { recursive: true, force: true });
  });

  test('private files a dead process left beside this lock are removed; another lock\'s and a live process\'s are kept', () => {
    const dir = tempDir();
    const dead = 2 ** 22 + 777;
    const leftovers = [`${LOCK}.${dead}.0.0a1b2c3d.tmp`, `${LOCK}.reap-0123456789abcdef.${dead}.0.0a1b2c3d.tmp`];
    const kept = [
      `${LOCK}.${process.ppid}.0.0a1b2c3d.tmp`, // a live process is writing its lock
      `other-${LOCK}.${dead}.0.0a1b2c3d.tmp`, // another lock's, whose name ends the same
      `tiny-encoder-extra.lock.${dead}.0.0a1b2c3d.tmp`, // another model's, whose name starts the same
      'tiny-encoder', // the folder the lock guards
    ];
    for (const name of [...leftovers, ...kept]) writeFileSync(path.join(dir, name), '{}');
    writeFileSync(path.join(dir, `${LOCK}.reap-00000000deadbeef`), JSON.stringify({ pid: dead, since: 0 }));
    take(path.join(dir, LOCK))();
    assert.deepEqual(readdirSync(dir).sort(), [...kept].sort());
    rmSync(dir, { recursive: true, force: true });
  });
}
