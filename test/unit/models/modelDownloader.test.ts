/**
 * pullModel against a fake hub on 127.0.0.1: install with merged config keys, resume after a dropped
 * connection, refusal of tampered bytes, clear 404 and offline errors. No test touches the internet.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { installedModelDir, ModelDownloadError, pullModel, readDownloadRecord, verifyInstalledModel } from '../../../src/engine/models/modelDownloader';
import type { PullProgress } from '../../../src/engine/models/modelDownloader';
import { loadModelSettings, resolveModelDir } from '../../../src/engine/models/modelFolder';
import { unusedPort } from './fakeHub';
import { useFixtureHub } from './fixtureHub';
import { fixtureFile, fixtureFiles, MODEL_ID, REPO, REVISION, testManifest } from './testManifest';

const fixture = useFixtureHub('atlas-models-');

function totalFixtureBytes(): number {
  return [...fixtureFiles().values()].reduce((a, b) => a + b.length, 0);
}

/** Leftovers of a failed or finished pull: staging folders, parked old installs. */
function strayFolders(): string[] {
  return readdirSync(fixture.cacheDir).filter((n) => n.startsWith('.install-') || n.startsWith('.old-'));
}

async function rejectsWith(promise: Promise<unknown>, kind: string): Promise<ModelDownloadError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof ModelDownloadError, `expected a ModelDownloadError, got ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    assert.ok(!e.message.includes('\n'), 'errors are one line');
    return e;
  }
  assert.fail(`expected the pull to fail with ${kind}`);
}

test('pull downloads every file through the redirect and installs the folder with the Paper Atlas config keys', async () => {
  const progress: PullProgress[] = [];
  const result = await pullModel(MODEL_ID, { manifest: testManifest({ pinned: true }), cacheDir: fixture.cacheDir, hubUrl: fixture.hub.url, onProgress: (p) => progress.push(p) });

  const dir = installedModelDir(MODEL_ID, fixture.cacheDir);
  assert.equal(result.dir, dir);
  assert.equal(result.replaced, false);
  assert.equal(result.bytesFetched, totalFixtureBytes());
  assert.deepEqual(
    result.files.map((f) => f.verifiedAgainst),
    ['manifest', 'manifest', 'manifest', 'manifest'],
  );
  assert.deepEqual(readFileSync(path.join(dir, 'onnx', 'model.onnx')), fixtureFile('onnx/model.onnx'));
  assert.deepEqual(readFileSync(path.join(dir, 'tokenizer.json')), fixtureFile('tokenizer.json'));

  const config = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(config.model_type, 'bert', 'the fixture.hub config is kept');
  assert.equal(config.pooling, 'cls');
  assert.equal(config.max_tokens, 64);
  assert.equal(config.query_prefix, 'query: ');
  assert.equal(config.document_prefix, 'passage: ');
  assert.equal(config.onnx_file, 'onnx/model.onnx');
  assert.equal(config.atlas_id, MODEL_ID);

  // The engine's loader reads the installed folder through its one code path.
  const settings = loadModelSettings(dir);
  assert.equal(settings.pooling, 'cls');
  assert.equal(settings.maxTokens, 64);
  assert.equal(settings.queryPrefix, 'query: ');
  assert.equal(settings.id, MODEL_ID);

  // Every fixture.hub URL redirected (relative Location) to the CDN path.
  const resolves = fixture.hub.log.filter((r) => r.path.includes('/resolve/'));
  assert.equal(resolves.length, 4);
  assert.ok(resolves.every((r) => r.status === 302));
  assert.equal(fixture.hub.log.filter((r) => r.path.startsWith('/cdn/') && r.status === 200).length, 4);

  const last = progress.at(-1);
  assert.ok(last, 'progress was reported');
  assert.equal(last.total, totalFixtureBytes());
  assert.equal(last.done, last.total);
  assert.equal(last.fileCount, 4);

  assert.ok(!existsSync(path.join(fixture.cacheDir, '.partial', MODEL_ID)), 'partial files are cleaned up');
  assert.deepEqual(strayFolders(), []);
  assert.equal(readDownloadRecord(dir)?.revision, REVISION);
  assert.deepEqual(await verifyInstalledModel(MODEL_ID, { cacheDir: fixture.cacheDir }), { ok: true, problems: [] });
});

test('the installed folder is where resolveModelDir looks for a downloaded model', async () => {
  await pullModel(MODEL_ID, { manifest: testManifest(), cacheDir: fixture.cacheDir, hubUrl: fixture.hub.url });
  const saved = process.env.PAPER_ATLAS_MODEL_CACHE;
  process.env.PAPER_ATLAS_MODEL_CACHE = fixture.cacheDir;
  try {
    assert.equal(resolveModelDir(MODEL_ID), installedModelDir(MODEL_ID, fixture.cacheDir));
  } finally {
    if (saved === undefined) delete process.env.PAPER_ATLAS_MODEL_CACHE;
    else process.env.PAPER_ATLAS_MODEL_CACHE = saved;
  }
});

test('a connection dropped half-way is resumed with a Range request for only the rest', async () => {
  const onnx = fixtureFile('onnx/model.onnx');
  const half = Math.floor(onnx.length / 2);
  fixture.hub.cutNextResponse(REPO, REVISION, 'onnx/model.onnx');

  const result = await pullModel(MODEL_ID, { manifest: testManifest({ pinned: true }), cacheDir: fixture.cacheDir, hubUrl: fixture.hub.url });

  const cdn = fixture.hub.log.filter((r) => r.path === fixture.hub.cdnPath(REPO, REVISION, 'onnx/model.onnx'));
  assert.deepEqual(
    cdn.map((r) => [r.range, r.status]),
    [
      [undefined, 200],
      [`bytes=${half}-`, 206],
    ],
  );
  // Half, then the other half: nothing fetched twice.
  assert.equal(result.bytesFetched, totalFixtureBytes());
  assert.deepEqual(readFileSync(path.join(result.dir, 'onnx', 'model.onnx')), onnx);
});

test('a pull that failed after a drop leaves its .part, and the next pull resumes from it', async () => {
  const onnx = fixtureFile('onnx/model.onnx');
  const half = Math.floor(onnx.length / 2);
  fixture.hub.cutNextResponse(REPO, REVISION, 'onnx/model.onnx');
  const manifest = testManifest({ pinned: true });

  const e = await rejectsWith(pullModel(MODEL_ID, { manifest, cacheDir: fixture.cacheDir, hubUrl: fixture.hub.url, retries: 0 }), 'network');
  assert.match(e.message, /onnx\/model\.onnx/);
  const part = path.join(fixture.cacheDir, '.partial', MODEL_ID, 'onnx', 'model.onnx.part');
  assert.equal(statSync(part).size, half);
  assert.ok(!existsSync(installedModelDir(MODEL_ID, fixture.cacheDir)), 'nothing is installed after a failed pull');

  fixture.hub.log.length = 0;
  const result = await pullModel(MODEL_ID, { manifest, cacheDir: fixture.cacheDir, hubUrl: fixture.hub.url });
  const cdn = fixture.hub.log.filter((r) => r.path === fixture.hub.cdnPath(REPO, REVISION, 'onnx/model.onnx'));
  assert.deepEqual(
    cdn.map((r) => [r.range, r.status]),
    [[`bytes=${half}-`, 206]],
  );
  assert.deepEqual(readFileSync(path.join(result.dir, 'onnx', 'model.onnx')), onnx);
});

test('a tampered file is refused: its part is deleted and nothing is installed', async () => {
  const tampered = Buffer.from(fixtureFile('onnx/model.onnx').toString('utf8').replace('line 0007', 'LINE 0007'));
  fixture.hub.setFile(REPO, REVISION, 'onnx/model.onnx', tampered);

  const e = await rejectsWith(pullModel(MODEL_ID, { manifest: testManifest({ pinned: true }), cacheDir: fixture.cacheDir, hubUrl: fixture.hub.url }), 'integrity');
  assert.match(e.message, /^refusing onnx\/model\.onnx of tiny-encoder from http:\/\/127\.0\.0\.1:\d+\/.*: its sha256 is [0-9a-f]{64}, expected [0-9a-f]{64} from the manifest/);
  assert.ok(!existsSync(installedModelDir(MODEL_ID, fixture.cacheDir)));
  assert.ok(!existsSync(path.join(fixture.cacheDir, '.partial', MODEL_ID, 'onnx', 'model.onnx.part')), 'the bad part is deleted');
  assert.deepEqual(strayFolders(), []);
});

test('without a published hash the first download records one, and a changed upstream file is refused later', async () => {
  const manifest = testManifest();
  const first = await pullModel(MODEL_ID, { manifest, cacheDir: fixture.cacheDir, hubUrl: fixture.hub.url });
  assert.ok(first.files.every((f) => f.verifiedAgainst === 'first download'));

  // Same bytes again: verified against the record, and the install is replaced in one step.
  const again = await pullModel(MODEL_ID, { manifest, cacheDir: fixture.cacheDir, hubUrl: fixture.hub.url });
  assert.ok(again.files.every((f) => f.verifiedAgainst === 'record'));
  assert.equal(again.replaced, true);
  assert.deepEqual(strayFolders(), []);

  fixture.hub.setFile(REPO, REVISION, 'onnx/model.onnx', Buffer.from('different weights under the same revision\n'));
  const e = await rejectsWith(pullModel(MODEL_ID, { manifest, cacheDir: fixture.cacheDir, hubUrl: fixture.hub.url }), 'integrity');
  assert.match(e.message, /expected [0-9a-f]{64} from the first download .*changed upstream/);
  // The working install is untouched.
  assert.deepEqual(readFileSync(path.join(first.dir, 'onnx', 'model.onnx')), fixtureFile('onnx/model.onnx'));
  assert.deepEqual(await verifyInstalledModel(MODEL_ID, { cacheDir: fixture.cacheDir }), { ok: true, problems: [] });
});

test('a file missing on the fixture.hub gives a one-line HTTP 404 error with its URL', async () => {
  const e = await rejectsWith(pullModel(MODEL_ID, { manifest: testManifest({ extra: ['special_tokens_map.json'] }), cacheDir: fixture.cacheDir, hubUrl: fixture.hub.url }), 'http');
  assert.equal(e.status, 404);
  assert.equal(e.message, `HTTP 404 Not Found for ${fixture.hub.url}/${REPO}/resolve/${REVISION}/special_tokens_map.json: no such file at this revision`);
  assert.ok(!existsSync(installedModelDir(MODEL_ID, fixture.cacheDir)));
});

test('a fixture.hub nobody answers on reads as offline', async () => {
  const port = await unusedPort();
  const e = await rejectsWith(pullModel(MODEL_ID, { manifest: testManifest(), cacheDir: fixture.cacheDir, hubUrl: `http://127.0.0.1:${port}` }), 'offline');
  assert.equal(e.message, `cannot reach 127.0.0.1:${port}: you appear to be offline; Paper Atlas works offline with its bundled models`);
});

test('a fixture.hub host that does not resolve reads as offline', async () => {
  const e = await rejectsWith(
    pullModel(MODEL_ID, { manifest: testManifest(), cacheDir: fixture.cacheDir, hubUrl: 'http://paper-atlas-fixture.hub.invalid', timeoutMs: 5000 }),
    'offline',
  );
  assert.match(e.message, /^cannot reach paper-atlas-fixture.hub\.invalid: you appear to be offline; Paper Atlas works offline with its bundled models$/);
});

test('PAPER_ATLAS_HUB_URL points downloads at another fixture.hub', async () => {
  const saved = process.env.PAPER_ATLAS_HUB_URL;
  process.env.PAPER_ATLAS_HUB_URL = fixture.hub.url;
  try {
    const result = await pullModel(MODEL_ID, { manifest: testManifest({ pinned: true }), cacheDir: fixture.cacheDir });
    assert.ok(result.files.every((f) => f.url.startsWith(`${fixture.hub.url}/${REPO}/resolve/${REVISION}/`)));
  } finally {
    if (saved === undefined) delete process.env.PAPER_ATLAS_HUB_URL;
    else process.env.PAPER_ATLAS_HUB_URL = saved;
  }
});

test('a cancelled pull stops with a clear error and installs nothing', async () => {
  const controller = new AbortController();
  controller.abort();
  const e = await rejectsWith(pullModel(MODEL_ID, { manifest: testManifest(), cacheDir: fixture.cacheDir, hubUrl: fixture.hub.url, signal: controller.signal }), 'aborted');
  assert.match(e.message, /cancelled/);
  assert.ok(!existsSync(installedModelDir(MODEL_ID, fixture.cacheDir)));
});

test('unknown and bundled ids are refused before any request', async () => {
  await rejectsWith(pullModel('no-such-model', { manifest: testManifest(), cacheDir: fixture.cacheDir, hubUrl: fixture.hub.url }), 'unknown-model');
  await rejectsWith(pullModel('atlas-mini-encoder', { manifest: testManifest(), cacheDir: fixture.cacheDir, hubUrl: fixture.hub.url }), 'unknown-model');
  assert.equal(fixture.hub.log.length, 0);
});

test('leftovers of a killed pull are cleaned up; another model\'s staging folder is not touched', async () => {
  for (const name of ['.install-tiny-encoder-abc123', '.old-tiny-encoder-deadbeef', '.install-tiny-encoder-extra-abc123']) {
    mkdirSync(path.join(fixture.cacheDir, name, 'onnx'), { recursive: true });
  }
  await pullModel(MODEL_ID, { manifest: testManifest(), cacheDir: fixture.cacheDir, hubUrl: fixture.hub.url });
  assert.deepEqual(strayFolders(), ['.install-tiny-encoder-extra-abc123']);
});

test('a pull of a model another live process is pulling is refused; a dead process\'s lock is taken over', async () => {
  const lock = path.join(fixture.cacheDir, '.partial', `${MODEL_ID}.lock`);
  mkdirSync(path.dirname(lock), { recursive: true });
  writeFileSync(lock, String(process.ppid));
  const e = await rejectsWith(pullModel(MODEL_ID, { manifest: testManifest(), cacheDir: fixture.cacheDir, hubUrl: fixture.hub.url }), 'busy');
  assert.match(e.message, new RegExp(`another download of ${MODEL_ID} is running \\(process ${process.ppid}\\)`));

  writeFileSync(lock, '4194000');
  await pullModel(MODEL_ID, { manifest: testManifest(), cacheDir: fixture.cacheDir, hubUrl: fixture.hub.url });
  assert.ok(!existsSync(lock), 'the lock is released');
});

test('a second pull of the same model in this process is refused while the first runs', async () => {
  // The old lock took over any lock holding this process's own pid, so both pulls wrote the same .part files.
  const opts = { manifest: testManifest(), cacheDir: fixture.cacheDir, hubUrl: fixture.hub.url };
  // Started at the first pull's first progress report: it holds the lock then, with 4 files to fetch.
  let second: Promise<ModelDownloadError> | undefined;
  await pullModel(MODEL_ID, { ...opts, onProgress: () => void (second ??= rejectsWith(pullModel(MODEL_ID, opts), 'busy')) });
  assert.ok(second, 'the first pull reported progress');
  const e = await second;
  assert.match(e.message, new RegExp(`a download of ${MODEL_ID} is already running`));
  assert.ok(!existsSync(path.join(fixture.cacheDir, '.partial', `${MODEL_ID}.lock`)), 'the lock is released');
  await pullModel(MODEL_ID, opts);
});

test('a .part left by another revision is discarded instead of resumed', async () => {
  const other = 'fedcba9876543210fedcba9876543210fedcba98';
  for (const [file, bytes] of fixtureFiles()) fixture.hub.setFile(REPO, other, file, bytes);
  fixture.hub.cutNextResponse(REPO, REVISION, 'onnx/model.onnx');
  await rejectsWith(pullModel(MODEL_ID, { manifest: testManifest(), cacheDir: fixture.cacheDir, hubUrl: fixture.hub.url, retries: 0 }), 'network');

  fixture.hub.log.length = 0;
  const result = await pullModel(MODEL_ID, { manifest: testManifest({ revision: other }), cacheDir: fixture.cacheDir, hubUrl: fixture.hub.url });
  assert.ok(fixture.hub.log.every((r) => r.range === undefined), 'nothing was resumed');
  assert.equal(readDownloadRecord(result.dir)?.revision, other);
});
