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
  // The family part is held together by no-break spaces, so a short form can find it (see authorName.ts).
  assert.deepEqual(p?.authors, ['Anna Smith', 'The\u00a0ACL\u00a0Consortium', 'Ludwig van\u00a0Beethoven']);
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

const ITEMS = [
  { id: 'first', title: 'First Item', author: [{ family: 'Doe', given: 'Jane' }, { family: 'Roe', given: 'R.' }] },
  { id: 'second', title: 'Second Item' },
  { id: 'third', title: 'Third Item', abstract: 'Read although an item before it is broken.' },
];

/** A pretty-printed array as Zotero (tab) or Better BibTeX (spaces) writes it, with its lines. */
function pretty(indent: string): string[] {
  return JSON.stringify(ITEMS, null, indent).split('\n');
}

test('CSL-JSON with a broken item: the other items are read and the broken one is reported at its line', () => {
  // Before, any syntax error lost the whole file.
  for (const indent of ['  ', '\t', '    ']) {
    const lines = pretty(indent);
    const secondTitle = lines.findIndex((l) => l.includes('"Second Item"'));
    lines[secondTitle] = lines[secondTitle]?.replace('"Second Item"', '"Second Item') ?? '';
    const result = parseCslJsonText(lines.join('\n'), 'broken.json');
    assert.deepEqual(
      result.papers.map((p) => p.id),
      ['first', 'third'],
      JSON.stringify(indent),
    );
    assert.equal(result.papers[1]?.abstract, 'Read although an item before it is broken.');
    assert.equal(result.diagnostics.length, 1);
    assert.equal(result.diagnostics[0]?.severity, 'error');
    assert.equal(result.diagnostics[0]?.line, secondTitle + 1, 'the line of the syntax error');
  }
});

test('CSL-JSON: an item left unclosed, or with its "{" line damaged, does not swallow the items after it', () => {
  const lines = pretty('  ');
  const secondOpen = lines.findIndex((l, i) => l === '  {' && (lines[i + 1] ?? '').includes('"second"'));
  const unclosed = [...lines];
  unclosed[secondOpen + 3] = '';
  const damagedOpen = [...lines];
  damagedOpen[secondOpen] = '\uFFFD {';
  for (const [name, text] of [['unclosed', unclosed], ['damaged "{" line', damagedOpen]] as const) {
    const result = parseCslJsonText(text.join('\n'), 'broken.json');
    assert.deepEqual(
      result.papers.map((p) => p.id),
      ['first', 'third'],
      name,
    );
    assert.equal(result.diagnostics.length, 1, name);
    assert.ok((result.diagnostics[0]?.line ?? 0) >= secondOpen + 1 && (result.diagnostics[0]?.line ?? 0) <= secondOpen + 4, name);
  }
  // On one line, items are cut by matching braces: one with an unbalanced string still lets the
  // items before it be read.
  const oneLine = JSON.stringify(ITEMS).replace('"Third Item"', '"Third Item');
  assert.deepEqual(
    parseCslJsonText(oneLine, 'min.json').papers.map((p) => p.id),
    ['first', 'second'],
  );
});

test('CSL-JSON: an item that is not an object is reported at its line', () => {
  const text = '[\n  {\n    "id": "a",\n    "title": "A"\n  },\n  "not an item",\n  {\n    "id": "b",\n    "title": "B"\n  }\n]\n';
  const result = parseCslJsonText(text, 'scalar.json');
  assert.deepEqual(
    result.papers.map((p) => p.id),
    ['a', 'b'],
  );
  assert.deepEqual(
    result.diagnostics.map((d) => [d.line, d.message]),
    [[6, 'item 2 is not an object; skipped']],
  );
});

test('CSL-JSON: an id written other than JSON.stringify writes it is found at its own line, like any id', () => {
  // Fuzz soak (seed 139173933): a lone surrogate in an id left its paper at line 0. Escaped ids were
  // then placed at their item's first line, found by a scan of the whole file per item.
  const text = '[\n  {\n    "id": "caf\\u00e9",\n    "title": "Escaped"\n  },\n  {\n    "id": "x\uD800",\n    "title": "Lone surrogate"\n  },\n  {\n    "id": "plain",\n    "title": "Plain"\n  }\n]\n';
  const result = parseCslJsonText(text, 'ids.json');
  assert.deepEqual(
    result.papers.map((p) => [p.title, p.sources[0]?.line]),
    [
      ['Escaped', 3],
      ['Lone surrogate', 7],
      ['Plain', 11],
    ],
  );
});

test('CSL-JSON: ids escaped as Python writes them are read in linear time', () => {
  // json.dump escapes every non-ASCII character: 8,000 such items took 18 s (each id looked for in
  // the whole file), against 0.25 s for the same items written by JSON.stringify.
  const items = (n: number): string =>
    JSON.stringify(Array.from({ length: n }, (_, i) => ({ id: `caf\u00e9-${i}`, title: `Caf\u00e9 ${i}` })), null, 2).replace(/\u00e9/g, '\\u00e9');
  const cpuMs = (text: string): number => {
    const start = process.cpuUsage();
    const result = parseCslJsonText(text, 'python.json');
    assert.equal(result.papers.length, (text.match(/"id"/g) ?? []).length);
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1000;
  };
  cpuMs(items(500));
  const small = cpuMs(items(2000));
  const large = cpuMs(items(8000));
  assert.ok(large < 10 * Math.max(small, 5), `2,000 items: ${small.toFixed(0)} ms, 8,000 items: ${large.toFixed(0)} ms`);
  const result = parseCslJsonText(items(3), 'python.json');
  assert.deepEqual(
    result.papers.map((p) => [p.id, p.title, p.sources[0]?.line]),
    [
      ['café-0', 'Café 0', 3],
      ['café-1', 'Café 1', 7],
      ['café-2', 'Café 2', 11],
    ],
  );
});
