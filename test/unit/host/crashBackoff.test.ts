import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CrashBackoff } from '../../../src/host/engine/crashBackoff';

test('one crash restarts at once; further crashes wait 4x longer each, up to the maximum', () => {
  let now = 0;
  const b = new CrashBackoff({ baseMs: 1000, maxMs: 10_000, maxCrashes: 10, windowMs: 1e9, now: () => now });
  assert.deepEqual(b.canStart(), { ok: true });
  b.recordCrash();
  assert.deepEqual(b.canStart(), { ok: true }, 'the first crash does not delay the restart');
  b.recordCrash();
  let p = b.canStart();
  assert.ok(!p.ok && p.retryInMs === 1000);
  now += 999;
  assert.equal(b.canStart().ok, false);
  now += 1;
  assert.equal(b.canStart().ok, true);
  b.recordCrash();
  p = b.canStart();
  assert.ok(!p.ok && p.retryInMs === 4000, JSON.stringify(p));
  assert.deepEqual([5, 6, 7].map((n) => b.delayAfter(n)), [10_000, 10_000, 10_000], 'capped at maxMs');
});

test('after maxCrashes within the window it stays stopped until reset(); old crashes are forgotten', () => {
  let now = 0;
  const b = new CrashBackoff({ baseMs: 10, maxCrashes: 3, windowMs: 60_000, now: () => now });
  for (let i = 0; i < 3; i++) {
    b.recordCrash();
    now += 1000;
  }
  const p = b.canStart();
  assert.ok(!p.ok && p.retryInMs === undefined && /crashed 3 times/.test(p.reason), JSON.stringify(p));
  now += 60_000;
  assert.equal(b.canStart().ok, true, 'crashes older than the window no longer count');
  for (let i = 0; i < 3; i++) b.recordCrash();
  assert.equal(b.canStart().ok, false);
  b.reset();
  assert.equal(b.canStart().ok, true);
});
