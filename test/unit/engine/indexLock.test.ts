import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { raceForLock, runAsRacer } from './lockRace';
import { acquireIndexLock, removeIfStill } from '../../../src/engine/index/indexLock';

test('a second writer is refused while the first holds the lock; release frees it', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'atlas-lock-'));
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)']);
  try {
    // A live process (the child) owns the lock.
    writeFileSync(path.join(dir, 'index.lock'), JSON.stringify({ pid: child.pid, since: 'now' }));
    assert.throws(() => acquireIndexLock(dir), new RegExp(`another process \\(pid ${child.pid}`));
    child.kill('SIGKILL');
  } finally {
    child.kill('SIGKILL');
  }
  rmSync(path.join(dir, 'index.lock'));
  const release = acquireIndexLock(dir);
  assert.ok(existsSync(path.join(dir, 'index.lock')));
  release();
  assert.ok(!existsSync(path.join(dir, 'index.lock')));
  rmSync(dir, { recursive: true, force: true });
});

test('a lock left by a killed process is stale and taken over', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'atlas-lock-'));
  writeFileSync(path.join(dir, 'index.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, since: 'long ago' }));
  const release = acquireIndexLock(dir);
  release();
  writeFileSync(path.join(dir, 'index.lock'), '{"pid": 12'); // half-written
  acquireIndexLock(dir)();
  rmSync(dir, { recursive: true, force: true });
});

test('a stale lock whose remover was killed midway is still taken over', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'atlas-lock-'));
  const stale = JSON.stringify({ pid: 2 ** 22 + 12345, since: 'long ago', token: 'dead' });
  writeFileSync(path.join(dir, 'index.lock'), stale);
  // The claim a remover holds while it removes that lock, left behind by its death (and its own, one level down).
  const claim = `index.lock.reap-${createHash('sha256').update(stale).digest('hex').slice(0, 16)}`;
  const claimText = JSON.stringify({ pid: 2 ** 22 + 999, since: 0 });
  writeFileSync(path.join(dir, claim), claimText);
  const claimOfClaim = `${claim}.reap-${createHash('sha256').update(claimText).digest('hex').slice(0, 16)}`;
  writeFileSync(path.join(dir, claimOfClaim), JSON.stringify({ pid: 2 ** 22 + 998, since: 0 }));
  const release = acquireIndexLock(dir);
  assert.notEqual(readFileSync(path.join(dir, 'index.lock'), 'utf8'), stale);
  release();
  assert.deepEqual(readdirSync(dir), []);
  rmSync(dir, { recursive: true, force: true });
});

test('a lock judged stale but replaced before its removal is left alone', () => {
  // Two processes judge the same dead lock; one removes it and a third takes the lock afresh. The
  // slower one must not remove the fresh lock (the old rename-aside way briefly moved it, and a
  // fourth process took the gap: two winners).
  const dir = mkdtempSync(path.join(os.tmpdir(), 'atlas-lock-'));
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)']);
  try {
    const stale = JSON.stringify({ pid: 2 ** 22 + 12345, since: 'long ago', token: 'dead' });
    const fresh = JSON.stringify({ pid: child.pid, since: 'now', token: 'fresh' });
    writeFileSync(path.join(dir, 'index.lock'), fresh);
    assert.equal(removeIfStill(path.join(dir, 'index.lock'), stale), 'elsewhere');
    assert.equal(readFileSync(path.join(dir, 'index.lock'), 'utf8'), fresh);
    assert.equal(removeIfStill(path.join(dir, 'index.lock'), fresh), 'removed');
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    child.kill('SIGKILL');
  }
  rmSync(dir, { recursive: true, force: true });
});

test('a second run in the same engine thread is refused, and the lock is free again after release', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'atlas-lock-'));
  const release = acquireIndexLock(dir);
  // The same pid owns the lock: without the thread's own record this looked stale and was taken over.
  assert.throws(() => acquireIndexLock(dir), /already being updated by this engine; try again when that run finishes/);
  release();
  acquireIndexLock(dir)();
  assert.ok(!existsSync(path.join(dir, 'index.lock')));
  rmSync(dir, { recursive: true, force: true });
});

test('release leaves alone a lock that is no longer ours', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'atlas-lock-'));
  const release = acquireIndexLock(dir);
  const theirs = JSON.stringify({ pid: process.ppid, since: 'now', token: 'someone-else' });
  writeFileSync(path.join(dir, 'index.lock'), theirs);
  release();
  assert.equal(readFileSync(path.join(dir, 'index.lock'), 'utf8'), theirs);
  rmSync(dir, { recursive: true, force: true });
});

test('leftovers of a lock write or takeover by a killed process are removed; a live process\'s are kept', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'atlas-lock-'));
  const dead = 2 ** 22 + 777;
  const leftovers = [
    `index.lock.${dead}.0.0a1b2c3d.tmp`,
    `index.lock.stale-${dead}-deadbeef`,
    `index.lock.reap-0123456789abcdef.${dead}.0.0a1b2c3d.tmp`,
  ];
  const live = [`index.lock.${process.ppid}.0.0a1b2c3d.tmp`, `index.lock.stale-${process.ppid}-deadbeef`, 'index.lock.notes'];
  for (const name of [...leftovers, ...live]) writeFileSync(path.join(dir, name), '{}');
  writeFileSync(path.join(dir, 'index.lock.reap-00000000deadbeef'), JSON.stringify({ pid: dead, since: 0 }));
  writeFileSync(path.join(dir, 'index.lock.reap-00000000feedf00d'), JSON.stringify({ pid: process.ppid, since: 0 }));
  live.push('index.lock.reap-00000000feedf00d');
  acquireIndexLock(dir)();
  assert.deepEqual(readdirSync(dir).sort(), [...live].sort());
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Racers: processes that all try to take the lock at once (as two windows opening together do), each
 * holding it for a while when it wins. Exactly one may win, whether the folder starts with no lock
 * (a racer must never read another's half-written lock as stale) or with a dead process's lock (two
 * racers must never both take it over).
 */
if (!runAsRacer('ATLAS_LOCK_RACER', (dir) => acquireIndexLock(dir))) {
  for (const stale of [false, true]) {
    test(`eight processes racing for ${stale ? 'a stale' : 'a free'} lock: exactly one wins`, async () => {
      for (let round = 0; round < Number(process.env.ATLAS_LOCK_ROUNDS ?? 3); round++) {
        const dir = mkdtempSync(path.join(os.tmpdir(), 'atlas-lock-race-'));
        if (stale) writeFileSync(path.join(dir, 'index.lock'), JSON.stringify({ pid: 2 ** 22 + 4321, since: 'long ago' }));
        const { verdicts } = await raceForLock(__filename, 'ATLAS_LOCK_RACER', dir, 8);
        assert.equal(verdicts.filter((v) => v === 'won').length, 1, verdicts.join('\n'));
        for (const v of verdicts.filter((x) => x !== 'won')) assert.match(v, /^refused: the index at .* is being updated by another process \(pid \d+/);
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
}
