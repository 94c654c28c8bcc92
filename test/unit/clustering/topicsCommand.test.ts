import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TopicMap } from '../../../src/core/clustering/topicMapModel';
import { parseClusterCount, runClustersCommand, runMapCommand, type TopicMapRequest } from '../../../src/cli/topicsCommand';

const map: TopicMap = {
  version: 1,
  seed: 42,
  clusterOption: 'auto',
  update: 'full',
  layout: 'pca',
  clusters: [
    { id: 0, label: 'diffusion models · image editing · text-to-image', size: 2, keywords: ['diffusion models', 'image editing'], papers: ['b', 'a'] },
    { id: 1, label: 'speech recognition', size: 1, keywords: ['speech recognition'], papers: ['c'] },
  ],
  points: [
    { id: 'a', x: -1, y: 0.5, cluster: 0 },
    { id: 'b', x: -0.9, y: 0.4, cluster: 0 },
    { id: 'c', x: 1, y: -1, cluster: 1 },
  ],
  centroids: [
    [1, 0],
    [0, 1],
  ],
  fingerprints: ['1', '2', '3'],
};

test('clusters --json and map --json print the documented shapes; the request carries the flags', async () => {
  const asked: TopicMapRequest[] = [];
  const load = async (r: TopicMapRequest): Promise<TopicMap> => {
    asked.push(r);
    return map;
  };
  const lines: string[] = [];
  assert.equal(await runClustersCommand(load, { json: true, clusters: 5, recompute: true }, (l) => lines.push(l)), 0);
  assert.deepEqual(JSON.parse(lines[0] ?? ''), map.clusters);
  assert.deepEqual(asked[0], { clusters: 5, recompute: true });
  await runMapCommand(load, { json: true, clusters: 'auto', seed: 7, recompute: false }, (l) => lines.push(l));
  assert.deepEqual(JSON.parse(lines[1] ?? ''), map.points);
  assert.deepEqual(asked[1], { clusters: 'auto', seed: 7, recompute: false });
});

test('text forms name the clusters and list every point', async () => {
  const lines: string[] = [];
  await runClustersCommand(async () => map, { json: false, clusters: 'auto', recompute: false }, (l) => lines.push(l));
  await runMapCommand(async () => map, { json: false, clusters: 'auto', recompute: false }, (l) => lines.push(l));
  assert.match(lines[0] ?? '', /diffusion models · image editing · text-to-image/);
  assert.match(lines[0] ?? '', /2 clusters of 3 papers/);
  assert.equal((lines[1] ?? '').split('\n').length, 4);
});

test('--clusters accepts auto or a positive whole number', () => {
  assert.equal(parseClusterCount(undefined), 'auto');
  assert.equal(parseClusterCount('auto'), 'auto');
  assert.equal(parseClusterCount('12'), 12);
  assert.throws(() => parseClusterCount('0'), /--clusters/);
  assert.throws(() => parseClusterCount('many'), /--clusters/);
});
