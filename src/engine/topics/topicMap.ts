/**
 * The topic map: papers clustered by their vectors, clusters named by c-TF-IDF phrases, papers laid
 * out in 2-D. The math lives in src/core/clustering; this module orders the inputs (by id, so the
 * store's row order cannot change the result), decides between an incremental update and a full
 * recompute, and keeps the map beside the LanceDB table as `<table>.topics.json`.
 *
 * The map is a JSON file, not LanceDB columns, for now: it is rebuilt as a whole or patched for a few
 * papers, is read whole by the panel, and must not force a table schema migration while it evolves.
 *
 * Folder src/engine/topics/: the topic map, computed on a worker thread of the engine process
 * (topicMap.worker.ts, dist/topics.js). Engine process only.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { chooseClusterCount, type ClusterCountRule } from '../../core/clustering/clusterCount';
import { clusterLabels } from '../../core/clustering/clusterLabels';
import { type DenseRows, dotAt, packRows } from '../../core/clustering/denseRows';
import { updateLayout } from '../../core/clustering/incrementalLayout';
import { type LayoutOptions, layoutPapers } from '../../core/clustering/paperLayout';
import { hashString } from '../../core/clustering/seededRandom';
import { sphericalKMeans } from '../../core/clustering/sphericalKMeans';
import type { ClusterCountOption, TopicMap, TopicPaper } from '../../core/clustering/topicMapModel';
import type { MapPoint as TopicPoint, TopicCluster, TopicMapResult } from '../../shared/engineProtocol';
import { writeJsonAtomic } from '../node/atomicFile';

export interface TopicMapOptions {
  clusters: ClusterCountOption;
  seed?: number;
  /** The last map of this table: reused incrementally when few papers changed. */
  previous?: TopicMap;
  /** How 'auto' picks k (default: see DEFAULT_CLUSTER_COUNT_RULE). */
  countRule?: ClusterCountRule;
  /** Share of changed papers up to which the previous layout is kept (default 0.05). */
  maxChangedFraction?: number;
  layout?: LayoutOptions;
}

/**
 * Chosen with bench/clusterQuality.ts: on 5,000 held-out arXiv listings both rules score the same
 * AMI against the primary category (0.24), but the silhouette of text vectors keeps rising with k,
 * so its pick hugs the top of the grid while costing seconds; √(n/2) is free and predictable.
 */
export const DEFAULT_CLUSTER_COUNT_RULE: ClusterCountRule = 'sqrt';
export const DEFAULT_TOPIC_SEED = 42;

export function paperFingerprint(p: TopicPaper): string {
  const text = `${p.title}\u0000${p.abstract}`;
  return hashString(text).toString(16).padStart(8, '0') + hashString(text, 0x01234567).toString(16).padStart(8, '0');
}

/** `vectors[i]` is the (L2-normalised) vector of `papers[i]`. */
export function computeTopicMap(papers: readonly TopicPaper[], vectors: readonly Float32Array[], options: TopicMapOptions): TopicMap {
  if (papers.length !== vectors.length) throw new Error(`${papers.length} papers but ${vectors.length} vectors`);
  const seed = options.seed ?? DEFAULT_TOPIC_SEED;
  const order = papers.map((_, i) => i).sort((a, b) => compareIds((papers[a] as TopicPaper).id, (papers[b] as TopicPaper).id));
  const sortedPapers = order.map((i) => papers[i] as TopicPaper);
  const sortedVectors = order.map((i) => vectors[i] as Float32Array);
  const ids = sortedPapers.map((p) => p.id);
  const fingerprints = sortedPapers.map(paperFingerprint);
  const texts = sortedPapers.map((p) => `${p.title}. ${p.abstract}`);
  const base = { version: 1 as const, seed, clusterOption: options.clusters, fingerprints };
  if (ids.length === 0) return { ...base, update: 'full', layout: 'pca', clusters: [], points: [], centroids: [] };
  const m = packRows(sortedVectors);

  const previous = options.previous;
  if (previous && previous.seed === seed && previous.clusterOption === options.clusters && previous.centroids[0]?.length === m.dim) {
    const before = new Map(previous.points.map((p, i) => [p.id, previous.fingerprints[i]]));
    const changed = ids.filter((id, i) => before.has(id) && before.get(id) !== fingerprints[i]);
    // Nothing added, edited or removed: the saved map is the answer (labels included).
    if (changed.length === 0 && ids.length === previous.points.length && ids.every((id) => before.has(id))) return previous;
    const centroids = packRows(previous.centroids.map((c) => Float32Array.from(c)));
    const points = updateLayout(
      { points: previous.points, centroids },
      changed,
      new Map(ids.map((id, i) => [id, sortedVectors[i] as Float32Array])),
      { seed, ...(options.maxChangedFraction !== undefined ? { maxChangedFraction: options.maxChangedFraction } : {}) },
    );
    if (points) {
      const assignments = Int32Array.from(points, (p) => p.cluster);
      return {
        ...base,
        update: 'incremental',
        layout: 'kept',
        clusters: describeClusters(ids, texts, m, assignments, centroids),
        points: points.map(roundPoint),
        centroids: previous.centroids,
      };
    }
  }

  const k =
    options.clusters === 'auto'
      ? chooseClusterCount(m, { rule: options.countRule ?? DEFAULT_CLUSTER_COUNT_RULE, seed }).k
      : Math.max(1, Math.min(Math.floor(options.clusters), ids.length));
  const result = sphericalKMeans(m, k, { seed });
  const { assignments, centroids } = renumberBySize(result.assignments, result.centroids);
  const layout = layoutPapers(m, assignments, { seed, ...options.layout });
  const points = ids.map((id, i) => roundPoint({ id, x: layout.x[i] as number, y: layout.y[i] as number, cluster: assignments[i] as number }));
  return {
    ...base,
    update: 'full',
    layout: layout.method,
    clusters: describeClusters(ids, texts, m, assignments, centroids),
    points,
    centroids: Array.from({ length: centroids.rows }, (_, c) => Array.from(centroids.data.subarray(c * centroids.dim, (c + 1) * centroids.dim), round6)),
  };
}

/** Plain code-unit order: locale-independent, so every machine sorts the same way. */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function round6(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

function roundPoint(p: TopicPoint): TopicPoint {
  return { id: p.id, x: Math.round(p.x * 1e4) / 1e4, y: Math.round(p.y * 1e4) / 1e4, cluster: p.cluster };
}

/** Cluster ids 0..k-1 by decreasing size (ties: the lower old id first), empty clusters dropped. */
function renumberBySize(assignments: Int32Array, centroids: DenseRows): { assignments: Int32Array; centroids: DenseRows } {
  const sizes = new Int32Array(centroids.rows);
  for (const c of assignments) sizes[c] = (sizes[c] as number) + 1;
  const order = Array.from({ length: centroids.rows }, (_, c) => c)
    .filter((c) => (sizes[c] as number) > 0)
    .sort((a, b) => (sizes[b] as number) - (sizes[a] as number) || a - b);
  const newId = new Int32Array(centroids.rows).fill(-1);
  order.forEach((c, i) => (newId[c] = i));
  const data = new Float32Array(order.length * centroids.dim);
  order.forEach((c, i) => data.set(centroids.data.subarray(c * centroids.dim, (c + 1) * centroids.dim), i * centroids.dim));
  return { assignments: assignments.map((c) => newId[c] as number), centroids: { data, rows: order.length, dim: centroids.dim } };
}

function describeClusters(ids: readonly string[], texts: readonly string[], m: DenseRows, assignments: Int32Array, centroids: DenseRows): TopicCluster[] {
  const k = centroids.rows;
  const terms = clusterLabels(texts, assignments, k);
  const members: Array<Array<{ id: string; sim: number }>> = Array.from({ length: k }, () => []);
  assignments.forEach((c, i) => {
    members[c]?.push({ id: ids[i] as string, sim: dotAt(m.data, i * m.dim, centroids.data, c * m.dim, m.dim) });
  });
  const clusters: TopicCluster[] = [];
  members.forEach((list, c) => {
    if (list.length === 0) return;
    list.sort((a, b) => b.sim - a.sim || compareIds(a.id, b.id));
    const t = terms[c];
    clusters.push({ id: c, label: t?.label ?? '', size: list.length, keywords: t?.keywords ?? [], papers: list.map((p) => p.id) });
  });
  return clusters;
}

export function topicMapPath(dbDir: string, table: string): string {
  return path.join(dbDir, `${table}.topics.json`);
}

/** Write-then-rename, so a reader (or a crash mid-write) never sees half a file. */
export function saveTopicMap(dbDir: string, table: string, map: TopicMap): void {
  writeJsonAtomic(topicMapPath(dbDir, table), map);
}

/** The saved map, or undefined when there is none or it is unreadable (it is only a cache). */
export function loadTopicMap(dbDir: string, table: string): TopicMap | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(topicMapPath(dbDir, table), 'utf8'));
  } catch {
    return undefined;
  }
  return isTopicMap(parsed) ? parsed : undefined;
}

export function isTopicMap(value: unknown): value is TopicMap {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const option = v.clusterOption;
  return (
    v.version === 1 &&
    typeof v.seed === 'number' &&
    (option === 'auto' || (typeof option === 'number' && Number.isInteger(option) && option > 0)) &&
    Array.isArray(v.clusters) &&
    Array.isArray(v.points) &&
    Array.isArray(v.centroids) &&
    Array.isArray(v.fingerprints) &&
    v.fingerprints.length === v.points.length &&
    v.points.every(
      (p: unknown) =>
        typeof p === 'object' &&
        p !== null &&
        typeof (p as TopicPoint).id === 'string' &&
        typeof (p as TopicPoint).x === 'number' &&
        typeof (p as TopicPoint).y === 'number' &&
        Number.isInteger((p as TopicPoint).cluster) &&
        (p as TopicPoint).cluster >= 0 &&
        (p as TopicPoint).cluster < (v.centroids as unknown[]).length,
    ) &&
    v.centroids.every((c: unknown) => Array.isArray(c) && c.every((t) => typeof t === 'number')) &&
    v.clusters.every((c: unknown) => typeof c === 'object' && c !== null && typeof (c as TopicCluster).label === 'string' && Array.isArray((c as TopicCluster).papers))
  );
}

/** What crosses the protocol: centroids and fingerprints stay in the engine. */
export function topicMapResult(map: TopicMap): TopicMapResult {
  return { clusters: map.clusters, points: map.points };
}

/** What the engine's store offers (PaperStore satisfies it). */
export interface TopicSource {
  allPapers(): Promise<TopicPaper[]>;
  allVectors(): Promise<{ ids: string[]; vectors: Float32Array[] }>;
}

export interface TopicInputs {
  papers: TopicPaper[];
  vectors: Float32Array[];
}

/** Papers and vectors of the store, paired by id (rows missing either side are left out). */
export async function collectTopicInputs(source: TopicSource): Promise<TopicInputs> {
  const [papers, { ids, vectors }] = await Promise.all([source.allPapers(), source.allVectors()]);
  const byId = new Map(papers.map((p) => [p.id, p]));
  const kept: TopicPaper[] = [];
  const keptVectors: Float32Array[] = [];
  ids.forEach((id, i) => {
    const p = byId.get(id);
    const v = vectors[i];
    if (p && v) {
      kept.push({ id, title: p.title, abstract: p.abstract });
      keptVectors.push(v);
    }
  });
  return { papers: kept, vectors: keptVectors };
}

export interface RefreshOptions {
  clusters: ClusterCountOption;
  seed?: number;
  recompute?: boolean;
}

/**
 * Loads the previous map of `table`, computes the new one (incrementally when few papers changed
 * and the seed and cluster option are the same) and saves it. `recompute` ignores the saved map.
 * CPU-bound for seconds at 75k papers: the engine runs it in its own thread (topicMap.worker.ts).
 */
export function updateSavedTopicMap(inputs: TopicInputs, dbDir: string, table: string, options: RefreshOptions): TopicMap {
  const previous = options.recompute ? undefined : loadTopicMap(dbDir, table);
  const map = computeTopicMap(inputs.papers, inputs.vectors, {
    clusters: options.clusters,
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(previous ? { previous } : {}),
  });
  saveTopicMap(dbDir, table, map);
  return map;
}

/** Collect + update in the calling thread (tests, scripts). */
export async function refreshTopicMap(source: TopicSource, dbDir: string, table: string, options: RefreshOptions): Promise<TopicMap> {
  return updateSavedTopicMap(await collectTopicInputs(source), dbDir, table, options);
}
