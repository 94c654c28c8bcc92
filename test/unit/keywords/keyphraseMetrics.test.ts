import { test } from 'node:test';
import assert from 'node:assert/strict';
import { f1AtK } from '../../../src/core/keywords/keyphraseMetrics';

test('F1@k matches stemmed phrases exactly, counts duplicates once and cuts at k', () => {
  const gold = ['neural networks', 'Point Clouds', 'segmentation'];
  const predicted = ['Neural Network', 'neural-networks', 'point cloud', 'graph', 'segment anything', 'segmentations'];
  const at2 = f1AtK(predicted, gold, 2);
  // "Neural Network" and "neural-networks" share a key: the top 2 distinct are neural network, point cloud.
  assert.equal(at2.matched, 2);
  assert.equal(at2.precision, 1);
  assert.ok(Math.abs(at2.recall - 2 / 3) < 1e-12);
  const at10 = f1AtK(predicted, gold, 10);
  assert.equal(at10.matched, 3);
  assert.equal(at10.precision, 3 / 5);
  assert.equal(at10.recall, 1);
  assert.ok(Math.abs(at10.f1 - 0.75) < 1e-12);
  assert.equal(f1AtK([], gold, 10).f1, 0);
  // Partial overlap is not a match.
  assert.equal(f1AtK(['neural'], gold, 10).matched, 0);
});
