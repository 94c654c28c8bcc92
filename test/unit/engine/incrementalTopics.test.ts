/**
 * Issue #4's acceptance: when one .bib entry changes, the engine re-embeds that paper only, the topic
 * map is updated incrementally — every other paper keeps its cluster and its x/y — and the keyword
 * highlights of the edited paper follow its new text while the others stay as they were.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EngineClient } from '../../../src/engine/client/engineClient';

const topics = [
  ['image', 'segmentation', 'masks', 'pixels', 'vision', 'objects', 'detection', 'scenes'],
  ['language', 'translation', 'tokens', 'sentences', 'grammar', 'parsing', 'corpus', 'words'],
  ['gravitational', 'waves', 'black', 'holes', 'mergers', 'detectors', 'spins', 'relativity'],
  ['trauma', 'symptoms', 'patients', 'clinical', 'trajectories', 'stress', 'therapy', 'cohort'],
];

/** 48 entries over 4 topics; deterministic word choice so the library is the same on every run. */
function library(): string {
  const entries: string[] = [];
  for (let i = 0; i < 48; i++) {
    const words = topics[i % 4]!;
    const pick = (j: number): string => words[(i * 7 + j * 3) % words.length]!;
    const abstract = Array.from({ length: 40 }, (_, j) => pick(j)).join(' ');
    entries.push(`@article{paper${i},\n  title = {${pick(1)} ${pick(2)} study ${i}},\n  year = {2020},\n  abstract = {${abstract}.}\n}\n`);
  }
  return entries.join('\n');
}

let work: string;
let engine: EngineClient;
before(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'atlas-topics-'));
  writeFileSync(path.join(work, 'library.bib'), library());
  engine = EngineClient.start();
});
after(async () => {
  await engine.stop();
  rmSync(work, { recursive: true, force: true });
});

test('editing one entry re-embeds it alone and keeps every other point of the map in place', async () => {
  await engine.open({ dbDir: path.join(work, 'db'), model: 'atlas-mini-encoder', providers: ['cpu'], threads: 2, batchSize: 16 });
  const first = await engine.index([work]);
  assert.equal(first.embedded, 48);
  const before = await engine.topicMap();
  const keywordsBefore = await engine.keywords({ id: 'paper0', k: 5 });
  const untouchedBefore = await engine.keywords({ id: 'paper1', k: 5 });
  assert.equal(before.points.length, 48);
  assert.ok(before.clusters.length >= 2);

  const bib = path.join(work, 'library.bib');
  writeFileSync(bib, readFileSync(bib, 'utf8').replace('title = {', 'title = {Edited ').replace(/abstract = \{[^}]*\}/, 'abstract = {language translation of sentences and words in a corpus.}'));
  const second = await engine.index([work]);
  assert.equal(second.embedded, 1);

  const afterEdit = await engine.topicMap();
  const old = new Map(before.points.map((p) => [p.id, p]));
  let moved = 0;
  for (const p of afterEdit.points) {
    if (p.id === 'paper0') continue;
    const q = old.get(p.id);
    assert.ok(q, p.id);
    if (q.x !== p.x || q.y !== p.y || q.cluster !== p.cluster) moved++;
  }
  assert.equal(moved, 0, 'no unchanged paper moved');
  assert.ok(afterEdit.points.some((p) => p.id === 'paper0'));

  // Highlights follow the edit: the edited paper's spans index its new text; the others are unchanged.
  const keywordsAfter = await engine.keywords({ id: 'paper0', k: 5 });
  assert.notEqual(keywordsAfter.text, keywordsBefore.text);
  assert.match(keywordsAfter.text, /^Edited /);
  for (const span of keywordsAfter.spans) assert.equal(keywordsAfter.text.slice(span.start, span.end), span.text);
  assert.ok(keywordsAfter.top.some((t) => /translation|sentences|corpus|language|words/.test(t.text)), JSON.stringify(keywordsAfter.top));
  // (Scores of other papers may move by the library IDF of the edited words; their text and spans do not.)
  const untouchedAfter = await engine.keywords({ id: 'paper1', k: 5 });
  assert.equal(untouchedAfter.text, untouchedBefore.text);
  assert.deepEqual(
    untouchedAfter.spans.map((x) => [x.start, x.end]),
    untouchedBefore.spans.map((x) => [x.start, x.end]),
  );
});
