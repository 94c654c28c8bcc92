import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hitAt, mean, precisionAt, reciprocalRankAt } from '../../../src/core/retrievalMetrics';

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
