import { test } from 'node:test';
import assert from 'node:assert/strict';
import { updateLayout } from '../../../src/core/clustering/incrementalLayout';
import { layoutPapers } from '../../../src/core/clustering/paperLayout';
import { sphericalKMeans } from '../../../src/core/clustering/sphericalKMeans';
import { blobs, unit } from './blobs';

function setup(): { ids: string[]; vectors: Float32Array[]; previous: Parameters<typeof updateLayout>[0] } {
  const { vectors } = blobs(4, 40, 16, 0.1, 8);
  const ids = vectors.map((_, i) => `p${i}`);
  const km = sphericalKMeans(vectors, 4, { seed: 1 });
  const layout = layoutPapers(vectors, km.assignments, { seed: 1, epochs: 30 });
  const points = ids.map((id, i) => ({ id, x: layout.x[i] as number, y: layout.y[i] as number, cluster: km.assignments[i] as number }));
  return { ids, vectors, previous: { points, centroids: km.centroids } };
}

test('a new paper joins its neighbours; everyone else stays exactly where they were', () => {
  const { ids, vectors, previous } = setup();
  const twin = vectors[17] as Float32Array;
  const current = new Map(ids.map((id, i) => [id, vectors[i] as Float32Array]));
  current.set('new', unit(twin.map((v, d) => v + (d === 0 ? 0.01 : 0))));
  const points = updateLayout(previous, [], current, { seed: 3 });
  assert.ok(points);
  const byId = new Map(points.map((p) => [p.id, p]));
  for (const before of previous.points) assert.deepEqual(byId.get(before.id), before);
  const placed = byId.get('new');
  const near = previous.points[17];
  assert.ok(placed && near);
  assert.equal(placed.cluster, near.cluster);
  // Its blob spans a good part of the box; its twin is within a few hundredths.
  assert.ok(Math.hypot(placed.x - near.x, placed.y - near.y) < 0.15, `${placed.x},${placed.y} vs ${near.x},${near.y}`);
  assert.deepEqual(updateLayout(previous, [], current, { seed: 3 }), points, 'deterministic');
});

test('an edited paper moves to its new neighbours; removed papers disappear', () => {
  const { ids, vectors, previous } = setup();
  const current = new Map(ids.map((id, i) => [id, vectors[i] as Float32Array]));
  current.set('p0', vectors[100] as Float32Array);
  current.delete('p1');
  const points = updateLayout(previous, ['p0'], current, { seed: 3 });
  assert.ok(points);
  assert.equal(points.length, ids.length - 1);
  const moved = points.find((p) => p.id === 'p0');
  assert.equal(moved?.cluster, previous.points[100]?.cluster);
});

test('too many changes ask for a full recompute', () => {
  const { ids, vectors, previous } = setup();
  const current = new Map(ids.map((id, i) => [id, vectors[i] as Float32Array]));
  assert.equal(updateLayout(previous, ids.slice(0, 20), current), undefined);
  assert.ok(updateLayout(previous, ids.slice(0, 8), current));
});
