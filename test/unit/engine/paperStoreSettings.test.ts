/** Vector index settings and read retries of PaperStore. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isVanishedFileError, ivfFlatPartitions, nprobesFor } from '../../../src/engine/store/paperStore';

test('IVF_FLAT probes 16 of its √n partitions, or all of them when it has fewer', () => {
  assert.equal(nprobesFor('IvfFlat', 50_000), 16); // 224 partitions
  assert.equal(nprobesFor('IvfFlat', 1_000_000), 16); // 2,000 partitions
  assert.equal(nprobesFor('IvfFlat', 100), 10); // 10 partitions
});

test('an IVF-PQ index of an earlier version keeps the 32 probes it was tuned with', () => {
  assert.equal(nprobesFor('IvfPq', 100_000), 32);
  assert.equal(nprobesFor('IvfFlat', 0), 32);
});

test('a read that raced another process clean-up is recognised (and retried), other errors are not', () => {
  const raced =
    'Failed to get next batch from stream: lance error: Not found: tmp/atlas/db/papers__m__ac23881173.lance/data/1110cf0fb449dcbae18ac91b5b896e.lance, /usr/local/cargo/registry/src/lance-io-8.0.0/src/local.rs:133:40';
  assert.equal(isVanishedFileError(new Error(raced)), true);
  assert.equal(isVanishedFileError(new Error('lance error: Not found: db/papers.lance/_indices/1f2e/index.idx')), true);
  assert.equal(isVanishedFileError(new Error('Table papers__x was not found')), false);
  assert.equal(isVanishedFileError(new Error('No space left on device')), false);
});

test('IVF_FLAT partitions: √n up to 500k papers, then growing to 2√n at 1M (half the vectors scanned per query)', () => {
  assert.equal(ivfFlatPartitions(50_000), 224);
  assert.equal(ivfFlatPartitions(100_000), 316);
  assert.equal(ivfFlatPartitions(500_000), 707);
  assert.equal(ivfFlatPartitions(750_000), Math.round(1.5 * Math.sqrt(750_000)));
  assert.equal(ivfFlatPartitions(1_000_000), 2000);
  assert.equal(ivfFlatPartitions(4_000_000), 4000);
  assert.equal(ivfFlatPartitions(100), 16);
});
