/**
 * The Atlas map's geometry, kept pure (no DOM, no canvas) so that it is unit-tested in plain Node:
 * the index built once per map message (points per cluster, bounds, cluster centres, a uniform grid
 * for hit-testing, lower-cased titles for the filter), the view transforms between screen pixels and
 * map coordinates (zoom about a point, pan, fit), the hit test, and where cluster labels go so that
 * no two overlap. The painter (atlasPainter.ts) draws what these functions compute.
 */
import type { MapMessage } from '../src/shared/panelProtocol';
import { fitScaleFor, layoutKey, type Bounds } from './atlasViewRules';

/** Centre of the canvas in map coordinates, and the zoom in CSS pixels per map unit. */
export interface View {
  cx: number;
  cy: number;
  scale: number;
}

export interface ClusterCentre {
  x: number;
  y: number;
  /** Smallest y of the cluster's points: its top edge on screen. */
  top: number;
  label: string;
  size: number;
  cluster: number;
}

/** Uniform grid over the data: cell (col, row) holds the points inside it. */
interface Grid {
  cell: number;
  cols: number;
  cells: Map<number, number[]>;
}

export interface MapIndex {
  map: MapMessage;
  lowerTitles: string[];
  /** Point indices of each cluster id (drawn one colour at a time). */
  byCluster: Int32Array[];
  /** Clusters that have points, largest first. */
  centres: ClusterCentre[];
  bounds: Bounds;
  grid: Grid;
  /** atlasViewRules.ts layoutKey: a saved view belongs to this layout. */
  layout: string;
}

export const MIN_SCALE = 1e-3;
export const MAX_SCALE = 1e6;
/** A point is hit within this many CSS pixels of the pointer. */
export const HIT_RADIUS_PX = 8;
/** Row stride of the grid's cell keys; the grid has at most 512 columns and rows. */
const ROW_STRIDE = 4096;

export function buildMapIndex(m: MapMessage): MapIndex {
  const n = m.ids.length;
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) counts.set(m.cluster[i]!, (counts.get(m.cluster[i]!) ?? 0) + 1);
  const maxCluster = Math.max(0, ...counts.keys());
  const byCluster = Array.from({ length: maxCluster + 1 }, (_, c) => new Int32Array(counts.get(c) ?? 0));
  const fill = new Int32Array(maxCluster + 1);
  let minX = Infinity,
    maxX = -Infinity,
    minY = Infinity,
    maxY = -Infinity;
  const sum = new Map<number, { x: number; y: number; n: number; top: number }>();
  for (let i = 0; i < n; i++) {
    const c = m.cluster[i]!;
    byCluster[c]![fill[c]!++] = i;
    const x = m.x[i]!;
    const y = m.y[i]!;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
    const s = sum.get(c) ?? { x: 0, y: 0, n: 0, top: y };
    s.top = Math.min(s.top, y);
    s.x += x;
    s.y += y;
    s.n++;
    sum.set(c, s);
  }
  if (n === 0) [minX, maxX, minY, maxY] = [-1, 1, -1, 1];
  const bounds = { minX, maxX, minY, maxY };
  const centres = m.clusters
    .map((c) => {
      const s = sum.get(c.id);
      return s ? { x: s.x / s.n, y: s.y / s.n, top: s.top, label: c.label, size: s.n, cluster: c.id } : undefined;
    })
    .filter((c): c is NonNullable<typeof c> => c !== undefined)
    .sort((a, b) => b.size - a.size);
  // About 4 points per cell on average.
  const span = Math.max(maxX - minX, maxY - minY, 1e-6);
  const cols = Math.max(1, Math.min(512, Math.ceil(Math.sqrt(n / 4))));
  const cell = span / cols;
  const cells = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const key = Math.floor((m.x[i]! - minX) / cell) * ROW_STRIDE + Math.floor((m.y[i]! - minY) / cell);
    const list = cells.get(key);
    if (list) list.push(i);
    else cells.set(key, [i]);
  }
  return { map: m, lowerTitles: m.titles.map((t) => t.toLowerCase()), byCluster, centres, bounds, grid: { cell, cols, cells }, layout: layoutKey(n, bounds) };
}

// ---------------------------------------------------------------------------------------------
// View transforms

export function toScreen(view: View, x: number, y: number, width: number, height: number): [number, number] {
  return [(x - view.cx) * view.scale + width / 2, (y - view.cy) * view.scale + height / 2];
}

export function toWorld(view: View, sx: number, sy: number, width: number, height: number): [number, number] {
  return [(sx - width / 2) / view.scale + view.cx, (sy - height / 2) / view.scale + view.cy];
}

export function clampScale(scale: number): number {
  return Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale));
}

/** The whole map in a canvas of this size, lifted a little because the legend takes the bottom edge. */
export function fitView(bounds: Bounds, width: number, height: number): View {
  const scale = fitScaleFor(bounds, width, height);
  return { cx: (bounds.minX + bounds.maxX) / 2, cy: (bounds.minY + bounds.maxY) / 2 + 25 / scale, scale };
}

/** Zoom about the canvas centre (buttons and keys). */
export function zoomBy(view: View, factor: number): View {
  return { ...view, scale: clampScale(view.scale * factor) };
}

/** Zoom about a screen point (the wheel): the map point under it stays under it. */
export function zoomAt(view: View, factor: number, sx: number, sy: number, width: number, height: number): View {
  const [wx, wy] = toWorld(view, sx, sy, width, height);
  const zoomed = zoomBy(view, factor);
  const [nx, ny] = toWorld(zoomed, sx, sy, width, height);
  return { cx: zoomed.cx + wx - nx, cy: zoomed.cy + wy - ny, scale: zoomed.scale };
}

/** The map dragged by (dx, dy) screen pixels: what was under the pointer follows it. */
export function panned(view: View, dx: number, dy: number): View {
  return { cx: view.cx - dx / view.scale, cy: view.cy - dy / view.scale, scale: view.scale };
}

/** The view moved onto (x, y) only when that point is off-screen or within `margin` pixels of an edge. */
export function keepInView(view: View, x: number, y: number, width: number, height: number, margin = 40): View {
  const [sx, sy] = toScreen(view, x, y, width, height);
  return sx < margin || sy < margin || sx > width - margin || sy > height - margin ? { ...view, cx: x, cy: y } : view;
}

// ---------------------------------------------------------------------------------------------
// Points

/** Side of a drawn point in CSS pixels: smaller on crowded maps, growing as the user zooms in. */
export function pointSize(points: number, scale: number, fitScale: number): number {
  const base = points > 50_000 ? 1.5 : points > 5_000 ? 2.2 : points > 500 ? 3.5 : 7;
  return Math.min(base * Math.max(1, Math.sqrt(scale / fitScale)), 14);
}

/** The point nearest to a screen position, within HIT_RADIUS_PX; -1 when none. */
export function pointAt(index: MapIndex, view: View, sx: number, sy: number, width: number, height: number): number {
  const { map, grid, bounds } = index;
  const [wx, wy] = toWorld(view, sx, sy, width, height);
  const radius = HIT_RADIUS_PX / view.scale;
  // Every point lies in cells 0..cols of each axis: a zoomed-out view's radius spans far more.
  const cellOf = (v: number, min: number): number => Math.max(0, Math.min(grid.cols, Math.floor((v - min) / grid.cell)));
  const c0 = cellOf(wx - radius, bounds.minX);
  const c1 = cellOf(wx + radius, bounds.minX);
  const r0 = cellOf(wy - radius, bounds.minY);
  const r1 = cellOf(wy + radius, bounds.minY);
  let best = -1;
  let bestD = radius * radius;
  for (let cx = c0; cx <= c1; cx++)
    for (let cy = r0; cy <= r1; cy++)
      for (const i of grid.cells.get(cx * ROW_STRIDE + cy) ?? []) {
        const d = (map.x[i]! - wx) ** 2 + (map.y[i]! - wy) ** 2;
        if (d <= bestD) [best, bestD] = [i, d];
      }
  return best;
}

/** The point nearest to (x, y) in map coordinates, among the matches when a filter is on; -1 when none. */
export function nearestPoint(index: MapIndex, x: number, y: number, matches?: Uint8Array): number {
  const { map } = index;
  let best = -1;
  let bestD = Infinity;
  for (let i = 0; i < map.ids.length; i++) {
    if (matches && matches[i] !== 1) continue;
    const d = (map.x[i]! - x) ** 2 + (map.y[i]! - y) ** 2;
    if (d < bestD) [best, bestD] = [i, d];
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Filter

export interface FilterMatches {
  /** 1 for each point whose title contains every term. */
  matches: Uint8Array;
  /** The matching points in map order. */
  ids: number[];
}

/** Points whose title contains every whitespace-separated term (case-insensitive); undefined for no terms. */
export function filterTitles(index: MapIndex, text: string): FilterMatches | undefined {
  const terms = text.toLowerCase().split(/\s+/).filter(Boolean);
  if (terms.length === 0) return undefined;
  const matches = new Uint8Array(index.map.ids.length);
  const ids: number[] = [];
  for (let i = 0; i < index.lowerTitles.length; i++) {
    const t = index.lowerTitles[i]!;
    if (terms.every((term) => t.includes(term))) {
      matches[i] = 1;
      ids.push(i);
    }
  }
  return { matches, ids };
}

// ---------------------------------------------------------------------------------------------
// Cluster labels

/** Map labels: the first two keyphrases of a topic label, at most 34 characters. */
export function shortLabel(label: string): string {
  const parts = label.split(' · ');
  let text = parts.slice(0, 2).join(' · ');
  if (text.length > 34) text = parts[0] ?? text;
  return text.length > 34 ? `${text.slice(0, 33)}…` : text;
}

export interface PlacedLabel {
  text: string;
  /** Centre of the text in CSS pixels. */
  x: number;
  y: number;
  /** [left, top, right, bottom] of the space it takes. */
  box: [number, number, number, number];
}

/** Labels drawn at most (the largest clusters'). */
export const MAX_LABELS = 80;

/**
 * Cluster labels at their centres, larger clusters first, each placed only where it overlaps no label
 * placed before it: at the centre, else just above or below it, else not at all. A small cluster's
 * label sits above its points instead of covering them; one near an edge is pulled inside. `measure`
 * gives a text's width in pixels (the canvas's measureText).
 */
export function placeLabels(centres: readonly ClusterCentre[], view: View, width: number, height: number, measure: (text: string) => number): PlacedLabel[] {
  const placed: PlacedLabel[] = [];
  for (const c of centres.slice(0, MAX_LABELS)) {
    const [px, cy] = toScreen(view, c.x, c.y, width, height);
    const text = shortLabel(c.label);
    const w = measure(text) + 8;
    const topY = (c.top - view.cy) * view.scale + height / 2;
    const baseY = cy - topY < 30 ? topY - 14 : cy;
    const sx = px < w / 2 ? (px > -w ? w / 2 : px) : px > width - w / 2 ? (px < width + w ? width - w / 2 : px) : px;
    for (const sy of [baseY, baseY - 20, baseY + 20]) {
      const box: [number, number, number, number] = [sx - w / 2, sy - 9, sx + w / 2, sy + 9];
      if (box[2] < 0 || box[0] > width || box[3] < 0 || box[1] > height) continue;
      if (placed.some(({ box: p }) => !(box[2] < p[0] || box[0] > p[2] || box[3] < p[1] || box[1] > p[3]))) continue;
      placed.push({ text, x: sx, y: sy, box });
      break;
    }
  }
  return placed;
}
