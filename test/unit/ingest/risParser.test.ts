import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseRisText } from '../../../src/core/ingest/risParser';
import { fallbackId } from '../../../src/core/paperIdentity';
import { fixturePath, SHARED_ABSENT, sharedDataPath } from './ingestTestPaths';

test('RIS fixture with BOM and CRLF: fields, continuation lines, ids, diagnostics', () => {
  const file = fixturePath('sample.ris');
  const result = parseRisText(readFileSync(file, 'utf8'), file);
  assert.equal(result.papers.length, 5);
  const [first, second, third, fourth, last] = result.papers;
  assert.deepEqual(first, {
    id: 'doi:10.1000/ris.1',
    title: 'Latent trajectories of stress',
    abstract: 'First line of the abstract continues here.',
    authors: ['John Smith', 'Jane A. Doe'],
    year: 2015,
    venue: 'Journal of Trauma',
    doi: '10.1000/ris.1',
    url: 'http://example.org/1',
    keywords: ['growth mixture', 'latent class', 'PTSD'],
    sources: [{ file, line: 1 }],
    contentHash: first?.contentHash,
  });
  assert.equal(second?.id, fallbackId('A record without DOI or key'));
  assert.deepEqual(second?.authors, ['R. Roe']);
  assert.equal(second?.abstract, 'Abstract in N2.');
  assert.equal(second?.year, 1999);
  assert.equal(second?.sources[0]?.line, 17);
  assert.equal(third?.id, 'Roe:2001');
  assert.deepEqual(third?.authors, ['Ed Editor']);
  assert.equal(third?.year, 2001);
  assert.equal(third?.venue, 'Short Journal');
  // Same title, no DOI, no key: same fallback id, so the second is renamed.
  assert.equal(fourth?.id, `${fallbackId('A record without DOI or key')}-2`);
  assert.equal(last?.title, 'Unclosed at end of file');
  const lines = result.diagnostics.map((d) => [d.line, d.severity]);
  assert.deepEqual(lines, [
    [37, 'warning'],
    [40, 'warning'],
    [32, 'warning'],
  ]);
});

test('RIS garbage never throws and stray tags are reported once', () => {
  const result = parseRisText('AU  - Nobody\nTI  - Stray\nrandom text\nER  - \n', 'x.ris');
  assert.equal(result.papers.length, 0);
  assert.equal(result.diagnostics.length, 2);
});

const SHARED_RIS: Array<[string, number, number]> = [
  ['ris/schoot-lgmm-ptsd-included-1.ris', 363, 196],
  ['ris/schoot-lgmm-ptsd-included-2.ris', 38, 26],
  ['ris/schoot-lgmm-ptsd-included-3.ris', 8, 8],
];

for (const [rel, records, withAbstract] of SHARED_RIS) {
  test(`shared ${rel}: ${records} records`, (t) => {
    const file = sharedDataPath(rel);
    if (file === undefined) return t.skip(SHARED_ABSENT);
    const text = readFileSync(file, 'utf8');
    assert.equal(text.match(/^TY {2}- /gm)?.length, records);
    const result = parseRisText(text, file);
    assert.equal(result.papers.length, records);
    assert.equal(result.papers.filter((p) => p.abstract !== '').length, withAbstract);
    assert.equal(new Set(result.papers.map((p) => p.id)).size, records, 'ids unique within the file');
    assert.ok(result.diagnostics.every((d) => d.message.startsWith('duplicate id')));
  });
}

test('shared RIS sample record', (t) => {
  const file = sharedDataPath('ris/schoot-lgmm-ptsd-included-3.ris');
  if (file === undefined) return t.skip(SHARED_ABSENT);
  const result = parseRisText(readFileSync(file, 'utf8'), file);
  const p = result.papers.find((x) => x.title.startsWith('Psychopathology and Resilience'));
  assert.ok(p);
  assert.deepEqual(p.authors, ['T. A. deRoon-Cassini', 'A. D. Mancini', 'M. D. Rusch', 'G. A. Bonanno']);
  assert.equal(p.year, 2010);
  assert.ok(p.keywords.includes('acute stress disorder'));
  assert.ok(p.keywords.includes('Posttraumatic Stress Diagnostic Scale'));
  assert.match(p.abstract, /^Objective: To investigate trajectories of PTSD and depression/);
});

test('every record that lost its "TY  -" line is reported, not only the first in the file', () => {
  const rec = (title: string): string => `TY  - JOUR\nTI  - ${title}\nER  - \n`;
  const orphan = (title: string): string => `TI  - ${title}\nER  - \n`;
  const result = parseRisText(rec('One') + orphan('Lost one') + rec('Two') + orphan('Lost two'), 'orphans.ris');
  assert.deepEqual(
    result.papers.map((p) => p.title),
    ['One', 'Two'],
  );
  const strays = result.diagnostics.filter((d) => d.message.startsWith('tag "TI" outside a record'));
  assert.deepEqual(
    strays.map((d) => d.line),
    [4, 9],
  );
});

test('exports joined into one file: the byte-order mark of the second does not cost its first record', () => {
  const rec = (title: string): string => `TY  - JOUR\nTI  - ${title}\nER  - \n`;
  const result = parseRisText(`\uFEFF${rec('One')}\uFEFF${rec('Two')}`, 'joined.ris');
  assert.deepEqual(
    result.papers.map((p) => [p.title, p.sources[0]?.line]),
    [
      ['One', 1],
      ['Two', 4],
    ],
  );
  assert.deepEqual(result.diagnostics, []);
});
