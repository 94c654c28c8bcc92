import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseCslJsonText } from '../../../src/core/ingest/cslJsonParser';
import { fixturePath, SHARED_ABSENT, sharedDataPath } from './ingestTestPaths';

test('CSL-JSON fixture: fields, names, keywords, arXiv number, skipped items', () => {
  const file = fixturePath('sample.csl.json');
  const result = parseCslJsonText(readFileSync(file, 'utf8'), file);
  assert.equal(result.papers.length, 2);
  const [p, preprint] = result.papers;
  assert.equal(p?.id, 'smith2020deep');
  assert.equal(p?.title, 'Deep Learning for Citation Graphs');
  assert.equal(p?.abstract, 'We study citation graphs with deep models.');
  assert.deepEqual(p?.authors, ['Anna Smith', 'The ACL Consortium', 'Ludwig van Beethoven']);
  assert.equal(p?.year, 2020);
  assert.equal(p?.venue, 'Journal of Graphs');
  assert.equal(p?.doi, '10.1000/csl.42');
  assert.deepEqual(p?.keywords, ['graphs', 'citations', 'deep learning']);
  assert.equal(p?.sources[0]?.line, 3);
  assert.equal(preprint?.arxivId, '2503.11731');
  assert.equal(preprint?.year, 2025);
  assert.deepEqual(
    result.diagnostics.map((d) => d.severity),
    ['warning', 'warning'],
  );
});

test('CSL-JSON that is not JSON is one error, not a throw', () => {
  const result = parseCslJsonText('[\n{"id": "a",\n', 'bad.json');
  assert.equal(result.papers.length, 0);
  assert.equal(result.diagnostics[0]?.severity, 'error');
});

test('shared zotero-export.csl.json', (t) => {
  const file = sharedDataPath('bib/zotero-export.csl.json');
  if (file === undefined) return t.skip(SHARED_ABSENT);
  const text = readFileSync(file, 'utf8');
  const result = parseCslJsonText(text, file);
  assert.equal(result.papers.length, (JSON.parse(text) as unknown[]).length);
  assert.equal(result.papers.length, 26);
  assert.deepEqual(result.diagnostics, []);
  const p = result.papers[0];
  assert.equal(p?.id, 'brittain2004');
  assert.equal(p?.title, 'Perceptions of disability and their impact upon involvement in sport for people with disabilities at all levels');
  assert.deepEqual(p?.authors, ['Ian Brittain']);
  assert.equal(p?.year, 2004);
  assert.equal(p?.venue, 'Journal of Sport and Social Issues');
  assert.equal(p?.doi, '10/fqd6hj');
  assert.equal(p?.sources[0]?.line, 23);
  const iaaf = result.papers.find((x) => x.id === 'iaaf2019');
  assert.deepEqual(iaaf?.authors, ['IAAF']);
});
