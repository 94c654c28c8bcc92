/** How many IVF partitions a search probes, from the index's kind and size. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nprobesFor } from '../../../src/engine/paperStore';

test('IVF_FLAT probes 16 of its √n partitions, or all of them when it has fewer', () => {
  assert.equal(nprobesFor('IvfFlat', 50_000), 16); // 224 partitions
  assert.equal(nprobesFor('IvfFlat', 1_000_000), 16); // 1,000 partitions
  assert.equal(nprobesFor('IvfFlat', 100), 10); // 10 partitions
});

test('an IVF-PQ index of an earlier version keeps the 32 probes it was tuned with', () => {
  assert.equal(nprobesFor('IvfPq', 100_000), 32);
  assert.equal(nprobesFor('IvfFlat', 0), 32);
});
