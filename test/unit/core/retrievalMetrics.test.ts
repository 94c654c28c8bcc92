import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hitAt, mean, ndcgAt, precisionAt, reciprocalRankAt } from '../../../src/core/retrievalMetrics';

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

test('nDCG@k with graded gains: 1 for the ideal order, less when a better paper ranks lower, 0 with nothing relevant', () => {
  const gains = { a: 2, b: 1 };
  assert.equal(ndcgAt(['a', 'b', 'x'], gains, 10), 1);
  // DCG of b, a = 1/log2(2) + 3/log2(3); ideal = 3 + 1/log2(3).
  const expected = (1 + 3 / Math.log2(3)) / (3 + 1 / Math.log2(3));
  assert.ok(Math.abs(ndcgAt(['b', 'a'], gains, 10) - expected) < 1e-12);
  assert.equal(ndcgAt(['x', 'y'], gains, 10), 0);
  assert.equal(ndcgAt(['a'], {}, 10), 0);
  // Only the first k count.
  assert.equal(ndcgAt(['x', 'a'], { a: 1 }, 1), 0);
});
