import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizedMutualInformation } from '../../../src/core/clustering/clusterAgreement';
import { chooseClusterCount, clusterCountGrid, sqrtRuleK } from '../../../src/core/clustering/clusterCount';
import { sphericalKMeans } from '../../../src/core/clustering/sphericalKMeans';
import { blobs } from './blobs';

test('k-means recovers well-separated blobs', () => {
  const { vectors, labels } = blobs(5, 60, 16, 0.08);
  const result = sphericalKMeans(vectors, 5, { seed: 3 });
  assert.equal(result.k, 5);
  assert.ok(normalizedMutualInformation(labels, result.assignments) > 0.95);
  for (let c = 0; c < 5; c++) {
    const row = result.centroids.data.subarray(c * 16, (c + 1) * 16);
    assert.ok(Math.abs(Math.hypot(...row) - 1) < 1e-5, 'centroids are unit length');
  }
});

test('mini-batch k-means recovers the blobs too', () => {
  const { vectors, labels } = blobs(5, 80, 16, 0.08, 2);
  const result = sphericalKMeans(vectors, 5, { seed: 4, miniBatchAbove: 100, batchSize: 64 });
  assert.ok(normalizedMutualInformation(labels, result.assignments) > 0.95);
});

test('k-means is deterministic for a seed and clamps k to n', () => {
  const { vectors } = blobs(3, 20, 8, 0.3);
  assert.deepEqual(sphericalKMeans(vectors, 4, { seed: 7 }).assignments, sphericalKMeans(vectors, 4, { seed: 7 }).assignments);
  assert.equal(sphericalKMeans(vectors.slice(0, 3), 10).k, 3);
  assert.equal(sphericalKMeans([], 3).assignments.length, 0);
});

test('auto k: the silhouette rule finds the number of blobs; the sqrt rule follows √(n/2)', () => {
  const { vectors } = blobs(6, 50, 16, 0.1, 5);
  assert.equal(chooseClusterCount(vectors, { rule: 'silhouette', seed: 1, maxK: 20 }).k, 6);
  assert.equal(chooseClusterCount(vectors, { rule: 'sqrt' }).k, sqrtRuleK(300));
  assert.equal(sqrtRuleK(5000), 50);
  assert.equal(sqrtRuleK(75_000), 60);
  assert.equal(sqrtRuleK(4), 2);
  assert.deepEqual(clusterCountGrid(2, 10), [2, 3, 4, 5, 6, 8, 10]);
});
