/**
 * The shipped manifest is valid and says what the brief promises; bad manifests are refused with
 * messages that point at the problem; download URLs follow the hub layout and honour the override.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { atlasConfigKeys, DEFAULT_HUB_URL, findModel, loadManifest, resolveFiles } from '../../../src/engine/models/modelManifest';

test('the shipped manifest loads and lists the bundled and downloadable models', () => {
  const manifest = loadManifest();
  const ids = manifest.models.map((m) => m.id);
  for (const id of ['atlas-mini-encoder', 'atlas-mini-mlm', 'all-MiniLM-L6-v2', 'bge-small-en-v1.5', 'specter2_base', 'distilbert-base-uncased', 'electra-small-generator']) {
    assert.ok(ids.includes(id), `${id} is in the manifest`);
  }
  assert.equal(findModel('atlas-mini-encoder', manifest)?.bundled, true);
  assert.equal(findModel('atlas-mini-mlm', manifest)?.task, 'mlm');
  for (const m of manifest.models.filter((x) => !x.bundled)) {
    assert.ok(m.files.some((f) => f.path === 'onnx/model.onnx'), `${m.id} downloads onnx/model.onnx`);
    assert.ok(m.files.some((f) => f.path === 'tokenizer.json'), `${m.id} downloads tokenizer.json`);
    const revision = m.source?.revision ?? '';
    assert.ok(/^[0-9a-f]{40}$/.test(revision) || (m.source?.revisionNote ?? '').length > 0, `${m.id}: pinned, or says why not`);
  }
});

test('bge-small-en-v1.5 uses CLS pooling and its query instruction', () => {
  const bge = findModel('bge-small-en-v1.5');
  assert.ok(bge);
  assert.equal(bge.pooling, 'cls');
  assert.equal(bge.queryPrefix, 'Represent this sentence for searching relevant passages: ');
  assert.equal(bge.documentPrefix, '');
  assert.deepEqual(atlasConfigKeys(bge), {
    atlas_id: 'bge-small-en-v1.5',
    pooling: 'cls',
    max_tokens: 512,
    query_prefix: 'Represent this sentence for searching relevant passages: ',
    document_prefix: '',
    onnx_file: 'onnx/model.onnx',
  });
});

test('file URLs follow <hub>/<repo>/resolve/<revision>/<path>; PAPER_ATLAS_HUB_URL and an explicit hub override the default', () => {
  const bge = findModel('bge-small-en-v1.5');
  assert.ok(bge && bge.source);
  const saved = process.env.PAPER_ATLAS_HUB_URL;
  delete process.env.PAPER_ATLAS_HUB_URL;
  try {
    const onnx = resolveFiles(bge).find((f) => f.path === 'onnx/model.onnx');
    assert.equal(onnx?.url, `${DEFAULT_HUB_URL}/BAAI/bge-small-en-v1.5/resolve/${bge.source.revision}/onnx/model.onnx`);
    process.env.PAPER_ATLAS_HUB_URL = 'http://127.0.0.1:9/mirror/';
    assert.equal(resolveFiles(bge)[0]?.url, `http://127.0.0.1:9/mirror/BAAI/bge-small-en-v1.5/resolve/${bge.source.revision}/config.json`);
    assert.equal(resolveFiles(bge, 'http://localhost:1')[0]?.url, `http://localhost:1/BAAI/bge-small-en-v1.5/resolve/${bge.source.revision}/config.json`);
  } finally {
    if (saved === undefined) delete process.env.PAPER_ATLAS_HUB_URL;
    else process.env.PAPER_ATLAS_HUB_URL = saved;
  }
});

function entry(overrides: Record<string, unknown>): unknown {
  return {
    version: 1,
    models: [
      {
        id: 'm',
        task: 'encoder',
        bundled: false,
        dims: 4,
        maxTokens: 8,
        pooling: 'mean',
        licence: 'MIT',
        source: { repo: 'o/m', revision: '0123456789abcdef0123456789abcdef01234567' },
        files: [{ path: 'config.json' }, { path: 'onnx/model.onnx' }],
        ...overrides,
      },
    ],
  };
}

test('bad manifests are refused with the place of each problem', () => {
  assert.doesNotThrow(() => loadManifest(entry({})));
  assert.throws(() => loadManifest(entry({ files: [{ path: 'config.json' }, { path: '../escape.onnx' }] })), /models\.0\.files\.1\.path: must be a relative path inside the model folder/);
  assert.throws(() => loadManifest(entry({ pooling: undefined })), /m: an encoder needs "pooling"/);
  assert.throws(() => loadManifest(entry({ source: { repo: 'o/m', revision: 'main' } })), /revision "main" is not a commit hash, so "revisionNote" must say why/);
  assert.doesNotThrow(() => loadManifest(entry({ source: { repo: 'o/m', revision: 'main', revisionNote: 'no hash published' } })));
  assert.throws(() => loadManifest(entry({ files: [{ path: 'config.json', sha256: 'abc' }, { path: 'm.onnx' }] })), /sha256: must be 64 lower-case hex digits/);
  assert.throws(() => loadManifest(entry({ id: 'a/b' })), /models\.0\.id/);
  assert.throws(() => loadManifest(entry({ files: [{ path: 'config.json' }] })), /must include an \.onnx file/);
  assert.throws(() => loadManifest({ version: 2, models: [] }), /invalid model manifest/);
  assert.throws(() => loadManifest('/nonexistent/manifest.json'), /cannot read model manifest \/nonexistent\/manifest\.json/);
});
