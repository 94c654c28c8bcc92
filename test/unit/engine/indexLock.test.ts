import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { acquireIndexLock } from '../../../src/engine/indexLock';

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
