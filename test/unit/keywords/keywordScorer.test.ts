/**
 * End to end with the bundled MLM (skipped until models/atlas-mini-mlm/onnx/model.onnx exists):
 * spans index the text, the rewritten graph (head gathered at masked positions) agrees with the full
 * one, and the JSON cache answers a second request without running the model.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { JsonFileKeywordCache, keywordCacheFile, keywordCacheKey } from '../../../src/engine/keywords/keywordCache';
import { KeywordScorer } from '../../../src/engine/keywords/keywordScorer';
import { packageRoot } from '../../../src/engine/node/packageRoot';

// PAPER_ATLAS_KEYWORD_TEST_MLM=<model folder> runs the same checks on another MLM (e.g. a download).
const mlm = process.env.PAPER_ATLAS_KEYWORD_TEST_MLM ?? 'atlas-mini-mlm';
const mlmDir = path.isAbsolute(mlm) ? mlm : path.join(packageRoot(), 'models', mlm);
const skip = existsSync(path.join(mlmDir, 'onnx', 'model.onnx')) && existsSync(path.join(mlmDir, 'config.json')) ? false : `no MLM at ${mlmDir}/onnx/model.onnx`;

const abstract =
  'Graph neural networks  (GNNs) learn representations of nodes by message passing. We propose a sparse attention ' +
  'mechanism for point-cloud segmentation that scales to millions of points, and evaluate it on ScanNet and S3DIS, ' +
  'where it improves mean intersection-over-union by 2.1 points over convolutional baselines.';

test('scores one abstract with the bundled MLM', { skip }, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'atlas-keywords-'));
  const gathered = await KeywordScorer.open(mlm, { threads: 2 });
  const full = await KeywordScorer.open(mlm, { threads: 2, fullHead: true });
  try {
    assert.equal(gathered.gathered, true, 'the bundled MLM head should be found and gathered');
    assert.equal(full.gathered, false);
    const result = await gathered.keywords(abstract, 8);
    assert.equal(result.text, abstract);
    assert.ok(result.top.length === 8);
    for (const s of [...result.spans, ...result.top]) {
      assert.equal(abstract.slice(s.start, s.end), s.text);
      assert.ok(Number.isFinite(s.score));
    }
    for (let i = 1; i < result.top.length; i++) assert.ok(result.top[i - 1]!.score >= result.top[i]!.score);
    for (let i = 1; i < result.spans.length; i++) assert.ok(result.spans[i - 1]!.end <= result.spans[i]!.start, 'heat-map spans do not overlap');

    const a = await gathered.analyse(abstract);
    const b = await full.analyse(abstract);
    assert.ok(a.rows > 0 && a.rows <= 16, `${a.rows} passes`);
    a.surprise.forEach((s, i) => assert.ok(Math.abs(s - b.surprise[i]!) < 1e-3 || (Number.isNaN(s) && Number.isNaN(b.surprise[i]!))));

    const cache = new JsonFileKeywordCache(keywordCacheFile(dir, mlm), gathered.fingerprint);
    gathered.cache = cache;
    assert.ok((await gathered.analyse(abstract)).rows > 0);
    cache.flush();
    assert.ok(new JsonFileKeywordCache(cache.file, gathered.fingerprint).get(keywordCacheKey(abstract)));
    assert.equal((await gathered.analyse(abstract)).rows, 0, 'second request answered from the cache');
    assert.equal(new JsonFileKeywordCache(cache.file, 'other-weights').get(keywordCacheKey(abstract)), undefined, 'other weights, empty cache');
  } finally {
    await gathered.release();
    await full.release();
    rmSync(dir, { recursive: true, force: true });
  }
});
