/**
 * Keeps the topic map still when the library changes a little. Re-running UMAP after adding three
 * papers would move every point and relabel clusters, and users lose their bearings; so when at
 * most `maxChangedFraction` of the papers are new, edited or removed, everyone else keeps x, y and
 * cluster, and each changed paper joins its nearest (previous) centroid and is placed among its
 * nearest unchanged neighbours in that cluster. Beyond that fraction the caller recomputes from
 * scratch (the map would drift too far from the clustering otherwise).
 */
import { type DenseRows, packRows } from './denseRows';
import { nearestCentroid } from './sphericalKMeans';
import { placeByNeighbours } from './paperLayout';
import { hashString, seededRandom } from './seededRandom';

export interface PlacedPaper {
  id: string;
  x: number;
  y: number;
  cluster: number;
}

export interface PreviousLayout {
  points: readonly PlacedPaper[];
  /** Unit-length centroids; row c is cluster c. */
  centroids: DenseRows;
}

export interface UpdateLayoutOptions {
  seed?: number;
  /** Above this share of changed + removed papers, give up and ask for a full recompute (default 0.05). */
  maxChangedFraction?: number;
  /** Neighbours used to place a changed paper (default 8). */
  neighbours?: number;
}

/**
 * Points for the papers in `vectors` (in its order), or undefined when a full recompute is needed:
 * too many changes, vectors of another width, or nothing unchanged to anchor to.
 * `changedIds` are papers whose text (hence vector) changed; ids absent from `previous` count as new
 * and ids absent from `vectors` as removed, without being listed.
 */
export function updateLayout(
  previous: PreviousLayout,
  changedIds: Iterable<string>,
  vectors: ReadonlyMap<string, Float32Array>,
  options: UpdateLayoutOptions = {},
): PlacedPaper[] | undefined {
  const ids = [...vectors.keys()];
  const before = new Map(previous.points.map((p) => [p.id, p]));
  const changed = new Set<string>();
  for (const id of changedIds) if (vectors.has(id)) changed.add(id);
  for (const id of ids) if (!before.has(id)) changed.add(id);
  let removed = 0;
  for (const id of before.keys()) if (!vectors.has(id)) removed++;
  const limit = options.maxChangedFraction ?? 0.05;
  if (changed.size + removed > limit * Math.max(ids.length, previous.points.length)) return undefined;
  if (changed.size === ids.length) return undefined;
  const m = packRows(ids.map((id) => vectors.get(id) as Float32Array));
  if (m.rows > 0 && m.dim !== previous.centroids.dim) return undefined;

  const x = new Float64Array(m.rows);
  const y = new Float64Array(m.rows);
  const cluster = new Int32Array(m.rows);
  const anchorsByCluster = new Map<number, number[]>();
  const anchors: number[] = [];
  ids.forEach((id, r) => {
    const p = before.get(id);
    if (!p || changed.has(id)) return;
    x[r] = p.x;
    y[r] = p.y;
    cluster[r] = p.cluster;
    anchors.push(r);
    let list = anchorsByCluster.get(p.cluster);
    if (!list) anchorsByCluster.set(p.cluster, (list = []));
    list.push(r);
  });
  const seed = options.seed ?? 42;
  const k = options.neighbours ?? 8;
  ids.forEach((id, r) => {
    if (!changed.has(id)) return;
    const c = nearestCentroid(previous.centroids, m.data, r * m.dim).index;
    cluster[r] = c;
    const own = anchorsByCluster.get(c);
    // Jitter seeded by the paper id: the result does not depend on which other papers changed with it.
    const random = seededRandom(hashString(id, seed >>> 0));
    const [px, py] = placeByNeighbours(m, r, own && own.length > 0 ? own : anchors, x, y, k, random, 0.004);
    x[r] = Math.max(-1, Math.min(1, px));
    y[r] = Math.max(-1, Math.min(1, py));
  });
  return ids.map((id, r) => ({ id, x: x[r] as number, y: y[r] as number, cluster: cluster[r] as number }));
}
