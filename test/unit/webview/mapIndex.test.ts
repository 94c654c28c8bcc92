/**
 * The Atlas map's pure geometry (webview/mapIndex.ts): the index built from a map message, the view
 * transforms, the grid hit test against a brute-force search, and label placement. Property tests
 * (fast-check) with fixed seeds, so a failure reproduces.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { layoutKey } from '../../../webview/atlasViewRules';
import {
  buildMapIndex,
  filterTitles,
  fitView,
  HIT_RADIUS_PX,
  keepInView,
  MAX_LABELS,
  MAX_SCALE,
  MIN_SCALE,
  nearestPoint,
  panned,
  placeLabels,
  pointAt,
  pointSize,
  shortLabel,
  toScreen,
  toWorld,
  zoomAt,
  zoomBy,
  type ClusterCentre,
  type MapIndex,
  type View,
} from '../../../webview/mapIndex';
import type { MapMessage } from '../../../src/shared/panelProtocol';

const runs = { seed: 16, numRuns: 200 };

function mapOf(points: { x: number; y: number; cluster: number }[], titles?: string[]): MapMessage {
  const k = Math.max(0, ...points.map((p) => p.cluster + 1));
  return {
    type: 'map',
    ids: points.map((_, i) => `p${i}`),
    titles: titles ?? points.map((_, i) => `Paper ${i}`),
    years: points.map(() => 2020),
    x: points.map((p) => p.x),
    y: points.map((p) => p.y),
    cluster: points.map((p) => p.cluster),
    clusters: Array.from({ length: k }, (_, c) => ({ id: c, label: `topic ${c}`, size: 0, keywords: [] })),
  };
}

const coord = fc.double({ min: -500, max: 500, noNaN: true, noDefaultInfinity: true });
const pointArb = fc.record({ x: coord, y: coord, cluster: fc.integer({ min: 0, max: 5 }) });
const viewArb: fc.Arbitrary<View> = fc.record({ cx: coord, cy: coord, scale: fc.double({ min: 0.01, max: 1000, noNaN: true }) });
const sizeArb = fc.record({ width: fc.integer({ min: 1, max: 3000 }), height: fc.integer({ min: 1, max: 3000 }) });

function close(a: number, b: number, tolerance: number): boolean {
  return Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(a), Math.abs(b));
}

/** The nearest point within the hit radius, by looking at every point. */
function bruteForceHit(index: MapIndex, view: View, sx: number, sy: number, width: number, height: number): number {
  const [wx, wy] = toWorld(view, sx, sy, width, height);
  const r2 = (HIT_RADIUS_PX / view.scale) ** 2;
  let best = -1;
  let bestD = Infinity;
  for (let i = 0; i < index.map.ids.length; i++) {
    const d = (index.map.x[i]! - wx) ** 2 + (index.map.y[i]! - wy) ** 2;
    if (d <= r2 && d < bestD) [best, bestD] = [i, d];
  }
  return best;
}

const worldDistance2 = (index: MapIndex, i: number, wx: number, wy: number): number => (index.map.x[i]! - wx) ** 2 + (index.map.y[i]! - wy) ** 2;

test('the index puts every point in its cluster once, and centres are the clusters’ means, largest first', () => {
  const points = [
    { x: 0, y: 0, cluster: 0 },
    { x: 2, y: 4, cluster: 0 },
    { x: 10, y: -1, cluster: 2 },
    { x: 4, y: 4, cluster: 0 },
    { x: 12, y: 1, cluster: 2 },
  ];
  const index = buildMapIndex(mapOf(points));
  assert.deepEqual(
    index.byCluster.map((ids) => [...ids]),
    [[0, 1, 3], [], [2, 4]],
  );
  assert.deepEqual(index.bounds, { minX: 0, maxX: 12, minY: -1, maxY: 4 });
  assert.deepEqual(
    index.centres.map((c) => [c.cluster, c.size, c.x, c.y, c.top]),
    [
      [0, 3, 2, 8 / 3, 0],
      [2, 2, 11, 0, -1],
    ],
  );
  assert.equal(index.layout, layoutKey(5, index.bounds));
  assert.deepEqual(buildMapIndex(mapOf([])).bounds, { minX: -1, maxX: 1, minY: -1, maxY: 1 });
});

test('screen → map → screen and map → screen → map are the identity', () => {
  fc.assert(
    fc.property(viewArb, sizeArb, coord, coord, (view, { width, height }, a, b) => {
      const [wx, wy] = toWorld(view, a, b, width, height);
      const [sx, sy] = toScreen(view, wx, wy, width, height);
      assert.ok(close(sx, a, 1e-9) && close(sy, b, 1e-9), `screen (${a}, ${b}) came back as (${sx}, ${sy})`);
      const [px, py] = toScreen(view, a, b, width, height);
      const [mx, my] = toWorld(view, px, py, width, height);
      assert.ok(close(mx, a, 1e-9) && close(my, b, 1e-9), `map (${a}, ${b}) came back as (${mx}, ${my})`);
    }),
    runs,
  );
});

test('the wheel zooms about the pointer: the map point under it stays under it, within the zoom limits', () => {
  fc.assert(
    fc.property(viewArb, sizeArb, fc.double({ min: 0.2, max: 5, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (view, { width, height }, factor, u, v) => {
      const sx = u * width;
      const sy = v * height;
      const [wx, wy] = toWorld(view, sx, sy, width, height);
      const zoomed = zoomAt(view, factor, sx, sy, width, height);
      assert.ok(close(zoomed.scale, view.scale * factor, 1e-12));
      const [ax, ay] = toScreen(zoomed, wx, wy, width, height);
      assert.ok(Math.abs(ax - sx) < 1e-6 && Math.abs(ay - sy) < 1e-6, `(${sx}, ${sy}) moved to (${ax}, ${ay})`);
    }),
    runs,
  );
  const view = { cx: 1, cy: 2, scale: 1 };
  assert.equal(zoomBy(view, 1e-9).scale, MIN_SCALE);
  assert.equal(zoomAt(view, 1e12, 10, 10, 100, 100).scale, MAX_SCALE);
  assert.deepEqual(zoomBy(view, 2), { cx: 1, cy: 2, scale: 2 }, 'buttons and keys zoom about the centre');
});

test('a drag moves the map with the pointer', () => {
  fc.assert(
    fc.property(viewArb, sizeArb, coord, coord, coord, coord, (view, { width, height }, sx, sy, dx, dy) => {
      const [wx, wy] = toWorld(view, sx, sy, width, height);
      const [ax, ay] = toScreen(panned(view, dx, dy), wx, wy, width, height);
      assert.ok(Math.abs(ax - (sx + dx)) < 1e-6 && Math.abs(ay - (sy + dy)) < 1e-6);
    }),
    runs,
  );
});

test('fitting shows every point inside the canvas', () => {
  fc.assert(
    fc.property(fc.array(pointArb, { minLength: 1, maxLength: 60 }), fc.integer({ min: 260, max: 3000 }), fc.integer({ min: 220, max: 3000 }), (points, width, height) => {
      const index = buildMapIndex(mapOf(points));
      const view = fitView(index.bounds, width, height);
      for (const p of points) {
        const [sx, sy] = toScreen(view, p.x, p.y, width, height);
        assert.ok(sx >= -1e-6 && sx <= width + 1e-6 && sy >= -1e-6 && sy <= height + 1e-6, `(${p.x}, ${p.y}) at (${sx}, ${sy}) of ${width}×${height}`);
      }
    }),
    runs,
  );
});

test('the grid hit test finds what a search of every point finds', () => {
  // Clustered points (many within a few pixels of each other) and a pointer near one of them or anywhere.
  const scene = fc.record({
    points: fc.array(pointArb, { maxLength: 400 }),
    view: viewArb,
    size: sizeArb,
    near: fc.nat(),
    offset: fc.tuple(fc.double({ min: -12, max: 12, noNaN: true }), fc.double({ min: -12, max: 12, noNaN: true })),
    anywhere: fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })),
  });
  fc.assert(
    fc.property(scene, ({ points, view, size: { width, height }, near, offset, anywhere }) => {
      const index = buildMapIndex(mapOf(points));
      const pointers: [number, number][] = [[anywhere[0] * width, anywhere[1] * height]];
      if (points.length > 0) {
        const p = points[near % points.length]!;
        const [sx, sy] = toScreen(view, p.x, p.y, width, height);
        pointers.push([sx + offset[0], sy + offset[1]]);
      }
      for (const [sx, sy] of pointers) {
        const got = pointAt(index, view, sx, sy, width, height);
        const want = bruteForceHit(index, view, sx, sy, width, height);
        const [wx, wy] = toWorld(view, sx, sy, width, height);
        // Two points at the same distance may both be right.
        if (want === -1) assert.equal(got, -1);
        else assert.ok(got !== -1 && worldDistance2(index, got, wx, wy) === worldDistance2(index, want, wx, wy), `hit ${got}, nearest ${want}`);
      }
    }),
    { ...runs, numRuns: 300 },
  );
});

test('a click anywhere on a drawn point hits that point or one drawn nearer the click', () => {
  fc.assert(
    fc.property(
      fc.array(pointArb, { minLength: 1, maxLength: 300 }),
      viewArb,
      sizeArb,
      fc.nat(),
      fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      (points, view, { width, height }, pick, angle, along) => {
        const index = buildMapIndex(mapOf(points));
        const i = pick % points.length;
        // The painter draws a point `size` pixels across, centred on its screen position.
        const size = pointSize(points.length, view.scale, view.scale);
        const [px, py] = toScreen(view, points[i]!.x, points[i]!.y, width, height);
        const sx = px + Math.cos(angle) * along * (size / 2);
        const sy = py + Math.sin(angle) * along * (size / 2);
        const got = pointAt(index, view, sx, sy, width, height);
        const [wx, wy] = toWorld(view, sx, sy, width, height);
        assert.notEqual(got, -1, `a click on point ${i} hit nothing`);
        assert.ok(worldDistance2(index, got, wx, wy) <= worldDistance2(index, i, wx, wy) * (1 + 1e-9) + 1e-18);
      },
    ),
    runs,
  );
});

test('hovering a map zoomed far out answers at once (the hit test looks only at cells that hold points)', () => {
  const points = Array.from({ length: 20_000 }, (_, i) => ({ x: (i % 141) / 100, y: Math.floor(i / 141) / 100, cluster: i % 7 }));
  const index = buildMapIndex(mapOf(points));
  // Zoomed out 0.05 px per unit, the 8 px hit radius spans 16,000 of the grid's 0.02-wide cells each way:
  // visiting all of them (256M look-ups) took seconds, and minutes at the zoom-out limit.
  const t0 = performance.now();
  assert.notEqual(pointAt(index, { cx: 0.7, cy: 0.7, scale: 0.05 }, 400, 300, 800, 600), -1);
  const ms = performance.now() - t0;
  assert.ok(ms < 500, `took ${ms.toFixed(0)} ms`);
  assert.notEqual(pointAt(index, { cx: 0.7, cy: 0.7, scale: MIN_SCALE }, 400, 300, 800, 600), -1);
});

test('Enter selects the point nearest the centre, among the filter’s matches when there is a filter', () => {
  const index = buildMapIndex(mapOf([{ x: 0, y: 0, cluster: 0 }, { x: 5, y: 5, cluster: 0 }, { x: 9, y: 9, cluster: 1 }], ['Dense retrieval', 'Sparse retrieval', 'Diffusion']));
  assert.equal(nearestPoint(index, 6, 6), 1);
  const found = filterTitles(index, 'DENSE  retrieval');
  assert.deepEqual(found?.ids, [0]);
  assert.deepEqual([...found!.matches], [1, 0, 0]);
  assert.equal(nearestPoint(index, 6, 6, found!.matches), 0);
  assert.deepEqual(filterTitles(index, 'retrieval')?.ids, [0, 1]);
  assert.equal(filterTitles(index, '   '), undefined);
  assert.equal(nearestPoint(buildMapIndex(mapOf([])), 0, 0), -1);
});

test('selecting a paper moves the view only when the paper is off-screen or near an edge', () => {
  const view = { cx: 0, cy: 0, scale: 10 };
  assert.equal(keepInView(view, 5, 5, 400, 300), view, 'in view: unchanged');
  assert.deepEqual(keepInView(view, 19, 0, 400, 300), { cx: 19, cy: 0, scale: 10 }, '10 px from the right edge');
  assert.deepEqual(keepInView(view, -100, 3, 400, 300), { cx: -100, cy: 3, scale: 10 }, 'off-screen');
});

test('map labels keep to two keyphrases and 34 characters', () => {
  assert.equal(shortLabel('retrieval · dense passages · question answering'), 'retrieval · dense passages');
  assert.equal(shortLabel('a very long first keyphrase of a topic · and a second one'), 'a very long first keyphrase of a topic'.slice(0, 33) + '…');
  fc.assert(
    fc.property(fc.array(fc.string({ maxLength: 40 }), { minLength: 1, maxLength: 5 }), (parts) => {
      assert.ok(shortLabel(parts.join(' · ')).length <= 34);
    }),
    runs,
  );
});

const centreArb: fc.Arbitrary<ClusterCentre> = fc
  .record({ x: coord, y: coord, drop: fc.double({ min: 0, max: 50, noNaN: true }), label: fc.string({ minLength: 1, maxLength: 50 }), size: fc.integer({ min: 1, max: 5000 }), cluster: fc.nat() })
  .map(({ drop, ...c }) => ({ ...c, top: c.y - drop }));

test('cluster labels never overlap, and each placed one is on the canvas', () => {
  const measure = (text: string): number => text.length * 6.5;
  fc.assert(
    fc.property(fc.array(centreArb, { maxLength: 120 }), viewArb, sizeArb, (unsorted, view, { width, height }) => {
      const centres = [...unsorted].sort((a, b) => b.size - a.size);
      const placed = placeLabels(centres, view, width, height, measure);
      assert.ok(placed.length <= Math.min(centres.length, MAX_LABELS));
      for (const [k, { box, text, x, y }] of placed.entries()) {
        assert.ok(box[2] >= 0 && box[0] <= width && box[3] >= 0 && box[1] <= height, `label "${text}" off the canvas`);
        assert.ok(Math.abs(box[2] - box[0] - (measure(text) + 8)) < 1e-9 && close(x, (box[0] + box[2]) / 2, 1e-12) && close(y, (box[1] + box[3]) / 2, 1e-12), `label "${text}" is not centred in its box`);
        for (const { box: other } of placed.slice(k + 1)) {
          const apart = box[2] < other[0] || other[2] < box[0] || box[3] < other[1] || other[3] < box[1];
          assert.ok(apart, `labels overlap: ${JSON.stringify(box)} and ${JSON.stringify(other)}`);
        }
      }
    }),
    runs,
  );
});

test('the largest cluster’s label is placed at its centre when it is in view', () => {
  const centres: ClusterCentre[] = [
    { x: 0, y: 0, top: -5, label: 'retrieval · dense', size: 50, cluster: 0 },
    { x: 0.1, y: 0, top: -5, label: 'diffusion · images', size: 40, cluster: 1 },
  ];
  const placed = placeLabels(centres, { cx: 0, cy: 0, scale: 10 }, 800, 600, (t) => t.length * 6);
  assert.deepEqual(
    placed.map((p) => [p.text, p.x, p.y]),
    [
      ['retrieval · dense', 400, 300],
      // Its neighbour would overlap at the centre: it goes just above.
      ['diffusion · images', 401, 280],
    ],
  );
});
