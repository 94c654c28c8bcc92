import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maximalMarginalRelevance, reciprocalRankFusion } from '../../../src/core/ranking';

test('RRF puts a paper found by both lists above ones found by one', () => {
  const vector = [
    { id: 'a', score: 0.9 },
    { id: 'b', score: 0.8 },
    { id: 'c', score: 0.7 },
  ];
  const fts = [
    { id: 'c', score: 12 },
    { id: 'd', score: 10 },
  ];
  const fused = reciprocalRankFusion([vector, fts]);
  assert.equal(fused[0]?.id, 'c');
  // a: 1/61; b and d tie at 1/62 and keep first-seen order.
  assert.deepEqual(
    fused.map((h) => h.id),
    ['c', 'a', 'b', 'd'],
  );
  assert.ok(Math.abs((fused[0]?.score ?? 0) - (1 / 63 + 1 / 61)) < 1e-12);
});

test('MMR with lambda 1 keeps relevance order; lower lambda skips near-duplicates', () => {
  const v = (x: number, y: number): Float32Array => {
    const n = Math.hypot(x, y);
    return Float32Array.from([x / n, y / n]);
  };
  const candidates = [
    { id: 'a', score: 1.0, vector: v(1, 0) },
    { id: 'a-copy', score: 0.99, vector: v(1, 0.01) },
    { id: 'b', score: 0.8, vector: v(0, 1) },
  ];
  assert.deepEqual(
    maximalMarginalRelevance(candidates, 2, 1).map((c) => c.id),
    ['a', 'a-copy'],
  );
  assert.deepEqual(
    maximalMarginalRelevance(candidates, 2, 0.5).map((c) => c.id),
    ['a', 'b'],
  );
});
