import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layoutPapers } from '../../../src/core/clustering/paperLayout';
import { sphericalKMeans } from '../../../src/core/clustering/sphericalKMeans';
import { blobs } from './blobs';

function assertNormalised(x: Float64Array, y: Float64Array): void {
  let extreme = 0;
  for (let i = 0; i < x.length; i++) {
    assert.ok(Math.abs(x[i] as number) <= 1 && Math.abs(y[i] as number) <= 1);
    extreme = Math.max(extreme, Math.abs(x[i] as number), Math.abs(y[i] as number));
  }
  assert.ok(extreme > 0.99, 'the layout fills the [-1, 1] box');
}

/** Mean distance within blobs over mean distance between blobs: small when blobs stay together. */
function separation(x: Float64Array, y: Float64Array, labels: number[]): number {
  let within = 0;
  let nw = 0;
  let between = 0;
  let nb = 0;
  for (let i = 0; i < labels.length; i += 3) {
    for (let j = i + 1; j < labels.length; j += 3) {
      const d = Math.hypot((x[i] as number) - (x[j] as number), (y[i] as number) - (y[j] as number));
      if (labels[i] === labels[j]) {
        within += d;
        nw++;
      } else {
        between += d;
        nb++;
      }
    }
  }
  return within / nw / (between / nb);
}

test('UMAP layout is deterministic for a seed, normalised, and keeps blobs together', () => {
  const { vectors, labels } = blobs(4, 40, 16, 0.1);
  const one = layoutPapers(vectors, undefined, { seed: 5, epochs: 50 });
  const two = layoutPapers(vectors, undefined, { seed: 5, epochs: 50 });
  assert.equal(one.method, 'umap');
  assert.deepEqual(one.x, two.x);
  assert.deepEqual(one.y, two.y);
  assertNormalised(one.x, one.y);
  assert.ok(separation(one.x, one.y, labels) < 0.5);
});

test('tiny libraries use PCA; one paper sits in the middle', () => {
  const { vectors } = blobs(2, 10, 8, 0.1);
  const layout = layoutPapers(vectors, undefined, { seed: 1 });
  assert.equal(layout.method, 'pca');
  assertNormalised(layout.x, layout.y);
  const single = layoutPapers(vectors.slice(0, 1));
  assert.deepEqual([single.x[0], single.y[0]], [0, 0]);
  assert.equal(layoutPapers([]).x.length, 0);
});

test('large libraries: UMAP on a sample, the rest placed next to their neighbours', () => {
  const { vectors, labels } = blobs(4, 75, 16, 0.1, 3);
  const { assignments } = sphericalKMeans(vectors, 4, { seed: 1 });
  const layout = layoutPapers(vectors, assignments, { seed: 2, umapSample: 100, epochs: 50 });
  assert.equal(layout.method, 'umap+placement');
  assertNormalised(layout.x, layout.y);
  assert.ok(separation(layout.x, layout.y, labels) < 0.5);
  const again = layoutPapers(vectors, assignments, { seed: 2, umapSample: 100, epochs: 50 });
  assert.deepEqual(again.x, layout.x);
});
