/**
 * `paper-atlas models list|pull|use` through runModelsCommand, with the fake hub and a fake manifest,
 * plus the per-index model selection it writes.
 */
import { after, afterEach, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runModelsCommand } from '../../../src/cli/modelsCommand';
import type { ModelsCommandOptions } from '../../../src/cli/modelsCommand';
import { readSelectedModel, SETTINGS_FILE, writeSelectedModel } from '../../../src/engine/models/modelSelection';
import { startFakeHub } from './fakeHub';
import type { FakeHub } from './fakeHub';
import { fixtureFiles, MODEL_ID, REPO, REVISION, testManifest } from './testManifest';

let hub: FakeHub;
let work: string;
let out: string[];
let err: string[];

before(async () => {
  hub = await startFakeHub([{ repo: REPO, revision: REVISION, files: fixtureFiles() }]);
});

after(async () => {
  await hub.close();
});

beforeEach(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'atlas-models-cli-'));
  out = [];
  err = [];
});

afterEach(() => {
  rmSync(work, { recursive: true, force: true });
});

function options(json = false): ModelsCommandOptions {
  return {
    dbDir: path.join(work, 'db'),
    json,
    out: (s) => out.push(s),
    err: (s) => err.push(s),
    manifest: testManifest({ pinned: true }),
    cacheDir: path.join(work, 'cache'),
    hubUrl: hub.url,
  };
}

test('models use of a model that is not installed fails and says how to get it', async () => {
  const code = await runModelsCommand(['use', MODEL_ID], options());
  assert.equal(code, 1);
  assert.deepEqual(err, [`paper-atlas: model "${MODEL_ID}" is not installed; run "paper-atlas models pull ${MODEL_ID}" first`]);
  assert.ok(!existsSync(path.join(work, 'db', SETTINGS_FILE)), 'no selection is written');
});

test('models use of an unknown id fails with a pointer to models list', async () => {
  assert.equal(await runModelsCommand(['use', 'nope'], options()), 1);
  assert.match(err.join('\n'), /unknown model "nope"; run "paper-atlas models list"/);
});

test('models pull reports progress on stderr; models use then selects it and explains the re-embedding', async () => {
  assert.equal(await runModelsCommand(['pull', MODEL_ID], options()), 0, err.join('\n'));
  assert.ok(err.length > 0 && err.every((l) => l.startsWith(`pull ${MODEL_ID}: `)), err.join('\n'));
  assert.match(out.join('\n'), new RegExp(`^installed ${MODEL_ID} in `));

  out = [];
  assert.equal(await runModelsCommand(['use', MODEL_ID], options()), 0, err.join('\n'));
  assert.equal(readSelectedModel(path.join(work, 'db'), 'encoder'), MODEL_ID);
  assert.match(out.join('\n'), /next "paper-atlas index" embeds the library again into a separate table/);

  out = [];
  assert.equal(await runModelsCommand(['use', MODEL_ID], options(true)), 0);
  assert.deepEqual(JSON.parse(out.join('')), { id: MODEL_ID, task: 'encoder', dbDir: path.join(work, 'db'), previous: MODEL_ID, reembed: false });
});

test('models list shows bundled, installed and not-installed models and marks the selection', async () => {
  assert.equal(await runModelsCommand(['list'], options(true)), 0);
  const before = JSON.parse(out.join('')) as { id: string; status: string; selected: boolean }[];
  assert.deepEqual(
    before.map((m) => [m.id, m.status, m.selected]),
    [
      ['atlas-mini-encoder', 'bundled', true],
      [MODEL_ID, 'not installed', false],
    ],
  );

  await runModelsCommand(['pull', MODEL_ID], options());
  await runModelsCommand(['use', MODEL_ID], options());
  out = [];
  assert.equal(await runModelsCommand(['list'], options(true)), 0);
  const afterPull = JSON.parse(out.join('')) as { id: string; status: string; selected: boolean; sizeBytes: number }[];
  const tiny = afterPull.find((m) => m.id === MODEL_ID);
  assert.equal(tiny?.status, 'installed');
  assert.equal(tiny?.selected, true);
  assert.ok((tiny?.sizeBytes ?? 0) > 0);

  out = [];
  assert.equal(await runModelsCommand(['list'], options()), 0);
  assert.match(out.join('\n'), new RegExp(`\\*\\s+${MODEL_ID}\\s+encoder\\s+installed`));
});

test('models pull of an unreachable hub fails with the offline message', async () => {
  const opts = { ...options(), hubUrl: 'http://paper-atlas-hub.invalid' };
  assert.equal(await runModelsCommand(['pull', MODEL_ID], opts), 1);
  assert.deepEqual(err, ['paper-atlas: cannot reach paper-atlas-hub.invalid: you appear to be offline; Paper Atlas works offline with its bundled models']);
});

test('bad usage exits 2 with the usage text', async () => {
  assert.equal(await runModelsCommand([], options()), 2);
  assert.equal(await runModelsCommand(['pull'], options()), 2);
  assert.equal(await runModelsCommand(['frobnicate'], options()), 2);
  assert.match(err.join('\n'), /usage: paper-atlas models/);
});

test('the selection lives in atlas-settings.json, keeps other settings and refuses a corrupt file', () => {
  const dbDir = path.join(work, 'db');
  assert.equal(readSelectedModel(dbDir, 'encoder'), undefined);
  mkdirSync(dbDir, { recursive: true });
  writeFileSync(path.join(dbDir, SETTINGS_FILE), JSON.stringify({ theme: 'kept', models: { mlm: 'atlas-mini-mlm' } }));
  writeSelectedModel(dbDir, 'encoder', 'bge-small-en-v1.5');
  assert.deepEqual(JSON.parse(readFileSync(path.join(dbDir, SETTINGS_FILE), 'utf8')), {
    theme: 'kept',
    models: { mlm: 'atlas-mini-mlm', encoder: 'bge-small-en-v1.5' },
  });
  assert.equal(readSelectedModel(dbDir, 'encoder'), 'bge-small-en-v1.5');
  assert.equal(readSelectedModel(dbDir, 'mlm'), 'atlas-mini-mlm');

  writeFileSync(path.join(dbDir, SETTINGS_FILE), '{ not json');
  assert.throws(() => readSelectedModel(dbDir, 'encoder'), /cannot read .*atlas-settings\.json/);
  writeFileSync(path.join(dbDir, SETTINGS_FILE), JSON.stringify({ models: { encoder: 42 } }));
  assert.throws(() => readSelectedModel(dbDir, 'encoder'), /invalid .*atlas-settings\.json: models\.encoder/);
});

test('a model without published checksums is named trust-on-first-use where it is chosen: models list and before models pull', async () => {
  const unpinned = (json = false): ModelsCommandOptions => ({ ...options(json), manifest: testManifest({ pinned: false }) });
  assert.equal(await runModelsCommand(['list'], unpinned(true)), 0);
  const listed = JSON.parse(out.join('')) as { id: string; checksums: string; unpinnedFiles: number }[];
  assert.deepEqual(
    listed.map((m) => [m.id, m.checksums]),
    [
      ['atlas-mini-encoder', 'bundled'],
      [MODEL_ID, 'first use'],
    ],
  );
  out = [];
  assert.equal(await runModelsCommand(['list'], unpinned()), 0);
  assert.match(out.join('\n'), new RegExp(`${MODEL_ID}\\s+encoder\\s+not installed\\s+\\S+\\s+-\\s+first use`));
  assert.match(out.join('\n'), /no published sha256 .* the first download is trusted as it is/);

  err = [];
  assert.equal(await runModelsCommand(['pull', MODEL_ID], unpinned()), 0, err.join('\n'));
  assert.match(err[0] ?? '', new RegExp(`^pull ${MODEL_ID}: No published checksum: its files have no sha256 in the manifest, so the first download is trusted`));

  // A pinned model says nothing of the kind.
  out = [];
  err = [];
  assert.equal(await runModelsCommand(['list'], options()), 0);
  assert.match(out.join('\n'), new RegExp(`${MODEL_ID}\\s+encoder\\s+\\S+.*\\s+pinned\\s`));
  assert.doesNotMatch(out.join('\n'), /trusted/);
});
