/**
 * Integrity of downloads beyond a tampered upstream file (issue #7 item 5), against the fake hub on
 * 127.0.0.1: a partial file altered on disk between two pulls is not trusted because the rest arrives
 * by a Range request; a file of the wrong size is refused by its size; an installed model whose files
 * were altered or removed afterwards fails verification, naming each file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { installedModelDir, ModelDownloadError, pullModel, verifyInstalledModel } from '../../../src/engine/models/modelDownloader';
import { useFixtureHub } from './fixtureHub';
import { fixtureFile, MODEL_ID, REPO, REVISION, testManifest } from './testManifest';

const fixture = useFixtureHub('atlas-tamper-');

async function integrityError(promise: Promise<unknown>): Promise<ModelDownloadError> {
  const e = await promise.then(
    () => undefined,
    (x: unknown) => x,
  );
  assert.ok(e instanceof ModelDownloadError, `expected a refused download, got ${String(e)}`);
  assert.equal(e.kind, 'integrity', e.message);
  return e;
}

test('a partial download altered on disk is refused after the resume, then pulled cleanly', async () => {
  const manifest = testManifest({ pinned: true });
  fixture.hub.cutNextResponse(REPO, REVISION, 'onnx/model.onnx');
  await assert.rejects(pullModel(MODEL_ID, { manifest, cacheDir: fixture.cacheDir, hubUrl: fixture.hub.url, retries: 0 }), ModelDownloadError);
  const part = path.join(fixture.cacheDir, '.partial', MODEL_ID, 'onnx', 'model.onnx.part');
  const half = readFileSync(part);
  assert.ok(half.length > 0);
  half[0] = half[0]! ^ 0xff; // one flipped byte in what was already downloaded
  writeFileSync(part, half);

  fixture.hub.log.length = 0;
  const e = await integrityError(pullModel(MODEL_ID, { manifest, cacheDir: fixture.cacheDir, hubUrl: fixture.hub.url }));
  assert.match(e.message, /^refusing onnx\/model\.onnx of tiny-encoder .*its sha256 is [0-9a-f]{64}, expected [0-9a-f]{64} from the manifest; the download was deleted and nothing was installed$/);
  // It really was a resume: only the missing half was asked for, so the check, not a fresh download, caught it.
  const asked = fixture.hub.log.filter((r) => r.path === fixture.hub.cdnPath(REPO, REVISION, 'onnx/model.onnx'));
  assert.deepEqual(
    asked.map((r) => r.range),
    [`bytes=${half.length}-`],
  );
  assert.ok(!existsSync(part), 'the bad part is deleted');
  assert.ok(!existsSync(installedModelDir(MODEL_ID, fixture.cacheDir)));

  const result = await pullModel(MODEL_ID, { manifest, cacheDir: fixture.cacheDir, hubUrl: fixture.hub.url });
  assert.deepEqual(readFileSync(path.join(result.dir, 'onnx', 'model.onnx')), fixtureFile('onnx/model.onnx'));
});

test('a file longer than the manifest says is refused by its size', async () => {
  const onnx = fixtureFile('onnx/model.onnx');
  fixture.hub.setFile(REPO, REVISION, 'onnx/model.onnx', Buffer.concat([onnx, Buffer.from('appended payload')]));
  const e = await integrityError(pullModel(MODEL_ID, { manifest: testManifest({ pinned: true }), cacheDir: fixture.cacheDir, hubUrl: fixture.hub.url }));
  assert.match(e.message, new RegExp(`its size is ${onnx.length + 16} bytes, expected ${onnx.length}`));
  assert.ok(!existsSync(installedModelDir(MODEL_ID, fixture.cacheDir)));
});

test('an installed model altered or stripped after the download fails verification, file by file', async () => {
  const { dir } = await pullModel(MODEL_ID, { manifest: testManifest({ pinned: true }), cacheDir: fixture.cacheDir, hubUrl: fixture.hub.url });
  assert.deepEqual(await verifyInstalledModel(MODEL_ID, { cacheDir: fixture.cacheDir }), { ok: true, problems: [] });

  const onnx = path.join(dir, 'onnx', 'model.onnx');
  const bytes = readFileSync(onnx);
  bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0x01;
  writeFileSync(onnx, bytes);
  rmSync(path.join(dir, 'tokenizer.json'));
  // config.json is rewritten on install; its own installed hash is what it is checked against.
  writeFileSync(path.join(dir, 'config.json'), readFileSync(path.join(dir, 'config.json'), 'utf8').replace('"cls"', '"mean"'));

  const verdict = await verifyInstalledModel(MODEL_ID, { cacheDir: fixture.cacheDir });
  assert.equal(verdict.ok, false);
  assert.deepEqual(
    verdict.problems.map((p) => p.replace(/[0-9a-f]{64}/g, 'HASH')).sort(),
    ['config.json has sha256 HASH, expected HASH', 'onnx/model.onnx has sha256 HASH, expected HASH', 'tokenizer.json is missing'],
  );
});
