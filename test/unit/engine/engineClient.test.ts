/**
 * The engine end to end through its process: index a small library with the bundled encoder, search,
 * then edit, add and remove entries and check that exactly the changed papers are re-embedded.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CancellationTokenSource, ResponseError } from 'vscode-jsonrpc/node';
import { EngineClient } from '../../../src/engine/client/engineClient';
import { EngineErrorCode } from '../../../src/shared/engineProtocol';
import { packageRoot } from '../../../src/engine/node/packageRoot';

const fixtures = path.join(packageRoot(), 'test', 'fixtures', 'library');
let work: string;
let engine: EngineClient;
const logs: string[] = [];

before(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'atlas-engine-'));
  cpSync(fixtures, path.join(work, 'library'), { recursive: true });
  engine = EngineClient.start({ onLog: (l) => logs.push(l) });
});

after(async () => {
  await engine.stop();
  rmSync(work, { recursive: true, force: true });
});

const bib = (): string => path.join(work, 'library', 'papers.bib');

test('asking for cuda,cpu here runs on CPU and says why cuda was not used', async () => {
  const info = await engine.open({ dbDir: path.join(work, 'db'), model: 'atlas-mini-encoder', providers: ['cuda', 'cpu'], threads: 2, batchSize: 16 });
  assert.equal(info.provider, 'cpu');
  const cuda = info.providerAttempts.find((a) => a.provider === 'cuda');
  assert.ok(cuda && !cuda.ok && (cuda.reason ?? '').length > 0, JSON.stringify(info.providerAttempts));
  assert.ok(logs.some((l) => l.includes('cuda')), 'the cuda failure is logged');
  assert.ok(info.dims >= 64);
});

test('first index embeds every paper; a second run embeds nothing', async () => {
  const first = await engine.index([path.join(work, 'library')]);
  assert.equal(first.papers, 6);
  assert.equal(first.embedded, 6);
  assert.equal(first.added, 6);
  const second = await engine.index([path.join(work, 'library')]);
  assert.equal(second.embedded, 0);
  assert.equal(second.papers, 6);
});

test('search finds the right paper in every mode, and related excludes the paper itself', async () => {
  for (const mode of ['hybrid', 'vector', 'fts'] as const) {
    const hits = await engine.search({ query: 'image segmentation masks dataset', k: 3, mode });
    assert.equal(hits[0]?.id, 'kirillov2023segment', `${mode}: ${JSON.stringify(hits.map((h) => h.id))}`);
  }
  const hit = (await engine.search({ query: 'gravitational waves black holes', k: 1 }))[0];
  assert.equal(hit?.id, 'mueller2020gravitational');
  assert.equal(hit?.title, 'Gravitational Waves from Binary Black Hole Mergers in Müller’s Catalogue'.replace('’', "'"));
  assert.match(hit?.source ?? '', /papers\.bib:\d+$/);
  const related = await engine.related({ id: 'kirillov2023segment', k: 5 });
  assert.equal(related.length, 5);
  assert.ok(!related.some((h) => h.id === 'kirillov2023segment'));
  const fromText = await engine.relatedToText({ text: 'posttraumatic stress trajectories after trauma', k: 1 });
  assert.equal(fromText[0]?.id, 'schoot2017ptsd');
});

test('a cancelled search, related, related-to-text or keywords request is dropped by the engine; the next one answers', async () => {
  const cancelledCode = (e: unknown): boolean => e instanceof ResponseError && e.code === EngineErrorCode.Cancelled;
  const requests: [string, (cancel: CancellationTokenSource) => Promise<unknown>][] = [
    ['search', (c) => engine.search({ query: 'image segmentation masks dataset', k: 3 }, c)],
    ['related', (c) => engine.related({ id: 'kirillov2023segment', k: 3 }, c)],
    ['relatedToText', (c) => engine.relatedToText({ text: 'posttraumatic stress trajectories after trauma', k: 3 }, c)],
    ['keywords', (c) => engine.keywords({ text: 'sparse attention for protein folding and image segmentation', k: 3 }, c)],
  ];
  for (const [name, send] of requests) {
    const cancel = new CancellationTokenSource();
    const request = send(cancel);
    cancel.cancel(); // the caller moved on right after asking (a new keystroke, a closed hover)
    await assert.rejects(request, cancelledCode, `${name}: cancelled in the engine`);
    const answered = await send(new CancellationTokenSource());
    assert.ok(answered, `${name}: the next request answers`);
  }
});

test('editing one abstract re-embeds exactly that paper; removing an entry deletes it', async () => {
  const text = readFileSync(bib(), 'utf8');
  writeFileSync(bib(), text.replace('report the masses and spins of ten new events', 'report the masses and spins of twelve new events'));
  const edited = await engine.index([path.join(work, 'library')]);
  assert.equal(edited.embedded, 1);
  assert.equal(edited.updated, 1);
  assert.equal(edited.papers, 6);

  const withoutKnuth = readFileSync(bib(), 'utf8').replace(/@book\{knuth1984texbook,[\s\S]*?\n\}\n/, '');
  writeFileSync(bib(), withoutKnuth);
  const removed = await engine.index([path.join(work, 'library')]);
  assert.equal(removed.removed, 1);
  assert.equal(removed.embedded, 0);
  assert.equal(removed.papers, 5);
  assert.deepEqual(await engine.papers(['knuth1984texbook']), []);
});

test('switching to another encoder re-embeds into a separate table and leaves the first one intact', async () => {
  const before = await engine.info();
  // A second model: the bundled encoder's files under another id (a model id is its folder name).
  const other = path.join(work, 'other-encoder');
  cpSync(path.join(packageRoot(), 'models', 'atlas-mini-encoder'), other, { recursive: true });
  const info = await engine.open({ dbDir: path.join(work, 'db'), model: other, providers: ['cpu'], threads: 2, batchSize: 16 });
  assert.equal(info.model, 'other-encoder');
  assert.notEqual(info.table, before.table);
  assert.equal(info.papers, 0);
  assert.ok(info.otherTables.includes(before.table));
  const summary = await engine.index([path.join(work, 'library')]);
  assert.equal(summary.embedded, before.papers, 'every paper embedded again with the new model');
  // Back to the first model: its table was kept, nothing to embed.
  const back = await engine.open({ dbDir: path.join(work, 'db'), model: 'atlas-mini-encoder', providers: ['cpu'], threads: 2, batchSize: 16 });
  assert.equal(back.papers, before.papers);
  assert.equal((await engine.index([path.join(work, 'library')])).embedded, 0);
});

test('an unknown paper id is a clear error, not a crash', async () => {
  await assert.rejects(engine.related({ id: 'no-such-paper', k: 3 }), /no paper with id "no-such-paper"/);
  assert.ok(engine.alive);
});
