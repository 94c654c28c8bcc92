import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TopicPaper } from '../../../src/core/clustering/topicMapModel';
import { computeTopicMap, loadTopicMap, saveTopicMap, topicMapPath } from '../../../src/engine/topics/topicMap';
import { blobs } from './blobs';

const words = [
  ['graph neural networks', 'message passing'],
  ['protein folding', 'molecular dynamics'],
  ['speech recognition', 'acoustic models'],
];

function library(): { papers: TopicPaper[]; vectors: Float32Array[] } {
  const { vectors, labels } = blobs(3, 30, 16, 0.1, 4);
  const papers = labels.map((c, i) => {
    const [p, q] = words[c] as [string, string];
    return { id: `paper-${String(i).padStart(3, '0')}`, title: `${p} study ${i}`, abstract: `We combine ${p} with ${q}.` };
  });
  return { papers, vectors };
}

test('computeTopicMap clusters, labels and places every paper; the file round-trips', () => {
  const { papers, vectors } = library();
  const map = computeTopicMap(papers, vectors, { clusters: 3, seed: 1, layout: { epochs: 30 } });
  assert.equal(map.update, 'full');
  assert.equal(map.clusters.length, 3);
  assert.equal(map.points.length, 90);
  assert.deepEqual(
    map.clusters.map((c) => c.size),
    [30, 30, 30],
  );
  for (const c of map.clusters) {
    assert.ok(words.some(([p]) => c.label.includes(p as string) || c.keywords.includes(p as string)), c.label);
    assert.equal(new Set(c.papers.map((id) => map.points.find((p) => p.id === id)?.cluster)).size, 1);
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'atlas-topics-'));
  try {
    saveTopicMap(dir, 'papers__x', map);
    assert.deepEqual(readdirSync(dir), ['papers__x.topics.json'], 'no temp file left behind');
    assert.equal(path.basename(topicMapPath(dir, 'papers__x')), 'papers__x.topics.json');
    assert.deepEqual(loadTopicMap(dir, 'papers__x'), map);
    assert.equal(loadTopicMap(dir, 'missing'), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('input order does not matter, and one added paper keeps everyone else in place', () => {
  const { papers, vectors } = library();
  const map = computeTopicMap(papers, vectors, { clusters: 'auto', seed: 1, layout: { epochs: 30 } });
  const reversed = computeTopicMap([...papers].reverse(), [...vectors].reverse(), { clusters: 'auto', seed: 1, layout: { epochs: 30 } });
  assert.deepEqual(reversed.points, map.points);
  assert.equal(computeTopicMap(papers, vectors, { clusters: 'auto', seed: 1, previous: map }), map, 'nothing changed: the saved map is reused');

  const added = { id: 'paper-new', title: 'protein folding again', abstract: 'More molecular dynamics.' };
  const next = computeTopicMap([...papers, added], [...vectors, vectors[40] as Float32Array], { clusters: 'auto', seed: 1, previous: map });
  assert.equal(next.update, 'incremental');
  const before = new Map(map.points.map((p) => [p.id, p]));
  for (const p of next.points) if (p.id !== 'paper-new') assert.deepEqual(p, before.get(p.id));
  assert.equal(next.points.find((p) => p.id === 'paper-new')?.cluster, before.get('paper-040')?.cluster);

  // A different seed or cluster option is a different map: recomputed in full.
  assert.equal(computeTopicMap(papers, vectors, { clusters: 4, seed: 1, previous: map, layout: { epochs: 30 } }).update, 'full');
});
