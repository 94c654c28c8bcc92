import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assignClusterColours, colourDistance, type ClusterCentre, type PaletteEntry } from '../../../webview/clusterColours';

/** 25 clusters on a 5×5 grid, sizes descending in reading order (like a real map's topics). */
const grid: ClusterCentre[] = Array.from({ length: 25 }, (_, i) => ({ cluster: i, x: i % 5, y: Math.floor(i / 5), size: 100 - i }));

function nearestNeighbourDistances(colours: Map<number, PaletteEntry>): number[] {
  return grid.map((c) => {
    const others = grid.filter((o) => o !== c).sort((a, b) => (a.x - c.x) ** 2 + (a.y - c.y) ** 2 - ((b.x - c.x) ** 2 + (b.y - c.y) ** 2));
    // The four grid neighbours (distance 1).
    return Math.min(...others.filter((o) => (o.x - c.x) ** 2 + (o.y - c.y) ** 2 === 1).map((o) => colourDistance(colours.get(c.cluster)!, colours.get(o.cluster)!)));
  });
}

test('every cluster gets its own colour, and neighbours are clearly apart', () => {
  const colours = assignClusterColours(grid);
  const keys = new Set([...colours.values()].map((e) => `${e.hue.toFixed(1)}/${e.shade}`));
  assert.equal(keys.size, 25, 'no two clusters share a colour');
  const worst = Math.min(...nearestNeighbourDistances(colours));
  assert.ok(worst >= 0.3, `two neighbouring clusters are only ${worst.toFixed(2)} apart`);
});

test('the old fixed hue cycle put similar colours next to each other', () => {
  // The previous scheme: 12 hues, then the same 12 shifted by 17°, one shade.
  const HUES = [210, 28, 130, 350, 275, 55, 180, 320, 95, 0, 240, 160];
  const old = new Map(grid.map((c) => [c.cluster, { hue: (HUES[c.cluster % 12]! + 17 * Math.floor(c.cluster / 12)) % 360, shade: 1 }]));
  assert.ok(Math.min(...nearestNeighbourDistances(old)) < 0.3);
});

test('few clusters keep one shade and far-apart hues', () => {
  const four: ClusterCentre[] = [0, 1, 2, 3].map((i) => ({ cluster: i, x: i, y: 0, size: 10 }));
  const colours = assignClusterColours(four);
  for (const a of colours.values()) for (const b of colours.values()) if (a !== b) assert.ok(colourDistance(a, b) > 0.3);
  assert.ok([...colours.values()].every((e) => e.shade === 1));
});
