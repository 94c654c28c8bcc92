/**
 * `paper-atlas clusters` and `paper-atlas map`: print the topic map the engine computed. The engine
 * (worker) owns the vectors and the map file; these functions only ask for the map through `load`
 * and format it, so they are testable without an engine and cli.ts stays a dispatcher.
 */
import type { ClusterCountOption } from '../core/clustering/topicMapModel';
import { terminalText } from '../core/displayText';
import type { TopicMapResult } from '../shared/engineProtocol';

export interface TopicMapRequest {
  clusters: ClusterCountOption;
  seed?: number;
  /** Ignore the saved map and lay everything out afresh. */
  recompute: boolean;
}

/** Typically `(request) => engine.topicMap(request.clusters)`. */
export type TopicMapLoader = (request: TopicMapRequest) => Promise<TopicMapResult>;

export interface TopicsCommandOptions extends TopicMapRequest {
  json: boolean;
}

export type LineWriter = (line: string) => void;

/** More clusters than this is not a map any more (k-means cost grows with k × papers). */
export const MAX_CLUSTERS = 1000;

/** `--clusters auto|N` → the option; throws with a one-line reason for anything else. */
export function parseClusterCount(value: string | undefined): ClusterCountOption {
  if (value === undefined || value === 'auto') return 'auto';
  // Digits only: Number('') is 0, Number('1e3') is 1000, Number(' 7 ') is 7.
  const n = /^[0-9]{1,10}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= MAX_CLUSTERS)) throw new Error(`--clusters must be "auto" or a whole number from 1 to ${MAX_CLUSTERS}, got "${value}"`);
  return n;
}

/** `--seed N` → a 32-bit unsigned seed, or undefined for the default. */
export function parseSeed(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = /^[0-9]{1,10}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 0 && n <= 0xffffffff)) throw new Error(`--seed must be a whole number between 0 and 4294967295, got "${value}"`);
  return n;
}

function request(options: TopicsCommandOptions): TopicMapRequest {
  return { clusters: options.clusters, recompute: options.recompute, ...(options.seed !== undefined ? { seed: options.seed } : {}) };
}

/** The `clusters --json` shape: [{id, label, size, keywords, papers}]. */
export function clustersJson(map: TopicMapResult): Array<{ id: number; label: string; size: number; keywords: string[]; papers: string[] }> {
  return map.clusters.map((c) => ({ id: c.id, label: c.label, size: c.size, keywords: c.keywords, papers: c.papers }));
}

/** The `map --json` shape: [{id, x, y, cluster}]. */
export function mapJson(map: TopicMapResult): Array<{ id: string; x: number; y: number; cluster: number }> {
  return map.points.map((p) => ({ id: p.id, x: p.x, y: p.y, cluster: p.cluster }));
}

export function formatClusters(map: TopicMapResult, papersShown = 3): string {
  if (map.clusters.length === 0) return 'no papers in the index';
  const idWidth = String(Math.max(...map.clusters.map((c) => c.id))).length;
  const sizeWidth = String(Math.max(...map.clusters.map((c) => c.size))).length;
  const lines = [`${map.clusters.length} clusters of ${map.points.length} papers`];
  for (const c of map.clusters) {
    lines.push(`${String(c.id).padStart(idWidth)}  ${String(c.size).padStart(sizeWidth)} papers  ${terminalText(c.label) || '(no label)'}`);
    const indent = ' '.repeat(idWidth + sizeWidth + 10);
    if (c.keywords.length) lines.push(`${indent}keywords: ${terminalText(c.keywords.join(', '))}`);
    if (papersShown > 0) lines.push(`${indent}e.g. ${terminalText(c.papers.slice(0, papersShown).join(', '))}${c.papers.length > papersShown ? ', …' : ''}`);
  }
  return lines.join('\n');
}

export function formatMap(map: TopicMapResult): string {
  if (map.points.length === 0) return 'no papers in the index';
  const labels = new Map(map.clusters.map((c) => [c.id, terminalText(c.label)]));
  const shown = new Map(map.points.map((p) => [p.id, terminalText(p.id)]));
  const idWidth = Math.min(40, Math.max(...[...shown.values()].map((id) => id.length)));
  const fixed = (v: number): string => (v < 0 ? '' : ' ') + v.toFixed(4);
  const lines = [`${'id'.padEnd(idWidth)}  ${'x'.padEnd(7)}  ${'y'.padEnd(7)}  cluster`];
  // Grouped by cluster, so the text form reads as "who sits with whom".
  const points = [...map.points].sort((a, b) => a.cluster - b.cluster || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const p of points) lines.push(`${(shown.get(p.id) ?? '').padEnd(idWidth)}  ${fixed(p.x)}  ${fixed(p.y)}  ${p.cluster} ${labels.get(p.cluster) ?? ''}`);
  return lines.join('\n');
}

export async function runClustersCommand(load: TopicMapLoader, options: TopicsCommandOptions, out: LineWriter): Promise<number> {
  const map = await load(request(options));
  out(options.json ? JSON.stringify(clustersJson(map)) : formatClusters(map));
  return 0;
}

export async function runMapCommand(load: TopicMapLoader, options: TopicsCommandOptions, out: LineWriter): Promise<number> {
  const map = await load(request(options));
  out(options.json ? JSON.stringify(mapJson(map)) : formatMap(map));
  return 0;
}
