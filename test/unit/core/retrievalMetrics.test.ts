import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hitAt, mean, precisionAt, reciprocalRankAt, seededRandom } from '../../../src/core/retrievalMetrics';

test('MRR@k, hit@k and precision@k on a hand-made ranking', () => {
  const ranked = ['a', 'b', 'c', 'd'];
  assert.equal(reciprocalRankAt(ranked, 'c', 10), 1 / 3);
  assert.equal(reciprocalRankAt(ranked, 'd', 3), 0);
  assert.equal(hitAt(ranked, 'b', 2), 1);
  assert.equal(hitAt(ranked, 'x', 10), 0);
  assert.equal(precisionAt(ranked, (id) => id === 'a' || id === 'd', 4), 0.5);
  assert.equal(precisionAt(['a'], () => true, 10), 0.1);
  assert.equal(mean([1, 2, 3]), 2);
});

test('seeded PRNG is reproducible and in [0, 1)', () => {
  const a = seededRandom(7);
  const b = seededRandom(7);
  const xs = Array.from({ length: 1000 }, () => a());
  assert.deepEqual(
    xs,
    Array.from({ length: 1000 }, () => b()),
  );
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  assert.ok(Math.abs(mean(xs) - 0.5) < 0.05);
});
