/**
 * Issue 18's engine side: related lists cached per table version, the warm-up that runs right after
 * open, before the first request, and related work's word statistics kept between engine processes.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EngineClient } from '../../../src/engine/client/engineClient';
import { packageRoot } from '../../../src/engine/node/packageRoot';
import { RelatedCache } from '../../../src/engine/search/relatedCache';
import type { SearchHit } from '../../../src/shared/engineProtocol';

const hit = (id: string): SearchHit => ({ id, title: id, score: 1, authors: [], source: '' });

test('a related list is served again only at the same table version; the oldest goes first', () => {
  const cache = new RelatedCache(2);
  const key = RelatedCache.key('a', 4, undefined);
  cache.set(key, 7, [hit('b')]);
  assert.deepEqual(cache.get(key, 7)?.map((h) => h.id), ['b']);
  assert.equal(cache.get(key, 8), undefined, 'the index was written (the paper, a neighbour or another title may have changed)');
  assert.equal(cache.get(key, 7), undefined, 'a stale entry is dropped');
  cache.set(RelatedCache.key('x', 4, undefined), 1, [hit('y')]);
  cache.set(RelatedCache.key('y', 4, undefined), 1, [hit('x')]);
  cache.get(RelatedCache.key('x', 4, undefined), 1);
  cache.set(RelatedCache.key('z', 4, undefined), 1, [hit('x')]);
  assert.equal(cache.size, 2);
  assert.ok(cache.get(RelatedCache.key('x', 4, undefined), 1), 'recently used: kept');
  assert.equal(cache.get(RelatedCache.key('y', 4, undefined), 1), undefined, 'least recently used: evicted');
  assert.notEqual(RelatedCache.key('a', 4, undefined), RelatedCache.key('a', 8, undefined));
});

let work: string;
let engine: EngineClient | undefined;
const fixtures = path.join(packageRoot(), 'test', 'fixtures', 'library');
const options = (): Parameters<EngineClient['open']>[0] => ({ dbDir: path.join(work, 'db'), model: 'atlas-mini-encoder', providers: ['cpu'], threads: 2, batchSize: 16 });

before(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'atlas-latency-'));
  cpSync(fixtures, path.join(work, 'library'), { recursive: true });
});

after(async () => {
  await engine?.stop();
  rmSync(work, { recursive: true, force: true });
});

test('the engine warms its encoder, search and keyword model right after open, before any request', async () => {
  const first = EngineClient.start();
  await first.open(options());
  await first.index([path.join(work, 'library')]);
  await first.stop();
  const logs: string[] = [];
  engine = EngineClient.start({ onLog: (l) => logs.push(l) });
  await engine.open(options());
  const deadline = Date.now() + 60_000;
  while (!logs.some((l) => l.startsWith('warm-up')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const line = logs.find((l) => l.startsWith('warm-up')) ?? '';
  assert.match(line, /^warm-up in \d+ ms: encoder \d+ ms, search \d+ ms, related \d+ ms, keywords \d+ ms$/, logs.join('\n'));
});

test('a cached related list is not served after the index changed (a new near-duplicate paper shows up)', async () => {
  assert.ok(engine);
  const before = await engine.related({ id: 'vaswani2017attention', k: 3 });
  assert.deepEqual(await engine.related({ id: 'vaswani2017attention', k: 3 }), before, 'a repeat answers the same');
  appendFileSync(
    path.join(work, 'library', 'papers.bib'),
    `\n@article{vaswani2017copy,\n  title = {Attention Is All You Need, Again},\n  author = {Vaswani, Ashish},\n  year = {2017},\n  abstract = {The dominant sequence transduction models are based on complex recurrent or convolutional neural networks. We propose the Transformer, based solely on attention mechanisms.}\n}\n`,
  );
  await engine.index([path.join(work, 'library')]);
  const afterEdit = await engine.related({ id: 'vaswani2017attention', k: 3 });
  assert.equal(afterEdit[0]?.id, 'vaswani2017copy', JSON.stringify(afterEdit.map((h) => h.id)));
});

test('related work keeps its word statistics for the next engine process, per table version, and a rebuild drops them', async () => {
  assert.ok(engine);
  await engine.related({ id: 'vaswani2017attention', k: 3 });
  const db = path.join(work, 'db');
  const termsFile = (): string | undefined => readdirSync(db).find((f) => f.endsWith('.terms.json'));
  const name = termsFile();
  assert.ok(name, `no word statistics saved in ${readdirSync(db).join(', ')}`);
  const file = path.join(db, name);
  const saved = JSON.parse(readFileSync(file, 'utf8')) as { version: number; papers: number; stats: { documents: number; documentFrequency: [string, number][] } };
  const papers = (await engine.listPapers(0, 1)).total;
  assert.equal(saved.papers, papers);
  assert.equal(saved.stats.documents, papers, 'a small library is counted whole');
  assert.ok(saved.stats.documentFrequency.some(([term, df]) => term === 'attention' && df >= 2));
  await engine.stop();

  // A damaged file is not trusted: the next process counts again and saves a good one.
  writeFileSync(file, '{"version": 1, "papers": 2, "stats": {"documents": "many"');
  engine = EngineClient.start();
  await engine.open(options());
  assert.ok((await engine.related({ id: 'vaswani2017attention', k: 3 })).length > 0);
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), saved, 'counted again at the same table version: the same statistics');

  await engine.clearIndex();
  assert.equal(termsFile(), undefined, 'Rebuild Index from Scratch starts the table versions again: the saved statistics must go');
});
