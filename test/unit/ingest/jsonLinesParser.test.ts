import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { parseJsonLinesText, readJsonLinesPapers } from '../../../src/core/ingest/jsonLinesParser';
import type { ParseResult } from '../../../src/shared/paper';
import { fixturePath, SHARED_ABSENT, sharedDataPath } from './ingestTestPaths';

test('JSON Lines aliases: summary, arxiv_id/bibkey/id/key, author strings, dates, categories', () => {
  const file = fixturePath('aliases.jsonl');
  const result = parseJsonLinesText(readFileSync(file, 'utf8'), file);
  const ids = result.papers.map((p) => p.id);
  assert.deepEqual(ids, ['2401.00001v2', 'doe-2020-acl', 'hep-th/9901001', 'k1', 'k1-2', '0704.0001']);
  const kaggle = result.papers[5];
  assert.deepEqual(kaggle?.authors, ["C. Bal\\'azs", 'E. L. Berger', 'P. M. Nadolsky', 'C.-P. Yuan']);
  assert.deepEqual(kaggle?.keywords, ['hep-ph', 'math.CO']);
  assert.equal(kaggle?.arxivId, '0704.0001');
  const [arxiv, acl, old, keyed] = result.papers;
  assert.equal(arxiv?.abstract, 'Uses summary for the abstract.');
  assert.equal(arxiv?.arxivId, '2401.00001');
  assert.deepEqual(arxiv?.authors, ['Ada Lovelace', 'Charles Babbage']);
  assert.equal(arxiv?.year, 2024);
  assert.deepEqual(arxiv?.keywords, ['cs.CL', 'cs.LG']);
  assert.deepEqual(acl?.authors, ['Jane Doe', 'John Roe']);
  assert.equal(acl?.year, 2020);
  assert.equal(acl?.venue, 'ACL');
  assert.equal(acl?.doi, '10.18653/v1/2020.acl-main.1');
  assert.equal(acl?.url, 'https://aclanthology.org/2020.acl-main.1');
  assert.equal(acl?.arxivId, undefined);
  assert.equal(old?.arxivId, 'hep-th/9901001');
  assert.equal(old?.year, 1999);
  assert.equal(old?.sources[0]?.line, 4);
  assert.deepEqual(keyed?.keywords, ['a', 'b']);
  assert.deepEqual(
    result.diagnostics.map((d) => [d.line, d.severity]),
    [
      [5, 'error'],
      [6, 'warning'],
      [9, 'warning'],
      [8, 'warning'],
    ],
  );
});

test('a file of non-papers lists its first 20 problems and counts the rest in one note', () => {
  const text = Array.from({ length: 100 }, (_, i) => JSON.stringify({ id: `p${i}`, text: 'a paragraph', keyphrases: [] })).join('\n');
  const result = parseJsonLinesText(text, 'keyphrases.jsonl');
  assert.equal(result.papers.length, 0);
  assert.equal(result.diagnostics.length, 21);
  assert.deepEqual(result.diagnostics[20], {
    file: 'keyphrases.jsonl',
    line: 21,
    severity: 'warning',
    message: '80 more lines were skipped as invalid or not papers (not listed one by one)',
  });
});

async function collect(gen: AsyncGenerator<ParseResult>): Promise<ParseResult[]> {
  const batches: ParseResult[] = [];
  for await (const b of gen) batches.push(b);
  return batches;
}

test('streaming reader yields batches with the same papers and unique ids across batches', async () => {
  const file = fixturePath('aliases.jsonl');
  const whole = parseJsonLinesText(readFileSync(file, 'utf8'), file);
  const batches = await collect(readJsonLinesPapers(createReadStream(file), file, { batchSize: 2 }));
  assert.ok(batches.length >= 3);
  assert.deepEqual(
    batches.flatMap((b) => b.papers),
    whole.papers,
  );
  assert.equal(batches.flatMap((b) => b.diagnostics).length, whole.diagnostics.length);
});

test('streaming reader: invalid UTF-8 is reported at its line and the lines after it are still read', async () => {
  // Before, the first invalid byte stopped the read and readLibraryFile dropped the whole file.
  async function* bytes(): AsyncGenerator<Uint8Array> {
    yield Buffer.from('{"title": "ok", "abstract": "fine"}\n');
    yield Uint8Array.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a]);
    yield Buffer.from('{"title": "Caf\u00e9 ', 'utf8');
    yield Uint8Array.from([0xe9]);
    yield Buffer.from(' au lait", "abstract": "x"}\n{"title": "after", "abstract": "y"}\n');
  }
  const batches = await collect(readJsonLinesPapers(bytes(), 'bytes.jsonl'));
  const papers = batches.flatMap((b) => b.papers);
  assert.deepEqual(
    papers.map((p) => [p.title, p.sources[0]?.line]),
    [
      ['ok', 1],
      ['Café \uFFFD au lait', 3],
      ['after', 4],
    ],
  );
  const diagnostics = batches.flatMap((b) => b.diagnostics);
  assert.deepEqual(
    diagnostics.map((d) => [d.line, d.severity, /UTF-8/.test(d.message)]),
    [
      [2, 'warning', true],
      [2, 'error', false],
      [3, 'warning', true],
    ],
  );
});

test('streaming reader: a multi-byte character split across chunks is decoded whole', async () => {
  const line = Buffer.from('{"title": "Schr\u00f6dinger \u2013 \ud83d\ude00", "abstract": "a"}\n', 'utf8');
  for (let cut = 1; cut < line.length; cut++) {
    async function* bytes(): AsyncGenerator<Uint8Array> {
      yield line.subarray(0, cut);
      yield line.subarray(cut);
    }
    const batches = await collect(readJsonLinesPapers(bytes(), 'split.jsonl'));
    assert.equal(batches.flatMap((b) => b.papers)[0]?.title, 'Schr\u00f6dinger \u2013 \ud83d\ude00', `cut at byte ${cut}`);
    assert.deepEqual(batches.flatMap((b) => b.diagnostics), []);
  }
});

const SHARED_JSONL: Array<[string, number, string, string]> = [
  ['arxiv/arxiv-listings.jsonl.gz', 74728, '2503.11731', 'Industrial-Grade Sensor Simulation via Gaussian Splatting: A Modular Framework for Scalable Editing and Full-Stack Validation'],
  ['acl/acl-anthology.jsonl.gz', 30012, 'thouin-1984-machine', 'Machine translation from designers to users: management problems and solutions'],
];

for (const [rel, count, firstId, firstTitle] of SHARED_JSONL) {
  test(`shared ${rel}: ${count} papers, streamed from the .gz`, async (t) => {
    const file = sharedDataPath(rel);
    if (file === undefined) return t.skip(SHARED_ABSENT);
    const batches = await collect(readJsonLinesPapers(file, file));
    const papers = batches.flatMap((b) => b.papers);
    // Independent count: newline-terminated lines of the decompressed bytes.
    const bytes = gunzipSync(readFileSync(file));
    let lines = 0;
    for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) lines++;
    assert.equal(lines, count);
    assert.equal(papers.length, count);
    assert.deepEqual(batches.flatMap((b) => b.diagnostics), []);
    assert.equal(papers[0]?.id, firstId);
    assert.equal(papers[0]?.title, firstTitle);
    assert.equal(papers[0]?.sources[0]?.line, 1);
    assert.equal(new Set(papers.map((p) => p.id)).size, count, 'ids unique');
    if (rel.startsWith('arxiv')) {
      assert.ok(papers.every((p) => p.arxivId === p.id && p.abstract !== '' && p.keywords.length > 0));
      assert.equal(papers[0]?.year, 2025);
    } else {
      assert.equal(papers[0]?.year, 1984);
      assert.deepEqual(papers[0]?.authors, ['Benoit Thouîn']);
      assert.equal(papers[0]?.url, 'https://aclanthology.org/1984.bcs-1.4');
    }
  });
}
