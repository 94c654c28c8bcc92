import { test } from 'node:test';
import assert from 'node:assert/strict';
import { displayName, familyName } from '../../../src/core/authorName';
import { parseBibtexText } from '../../../src/core/ingest/bibtexParser';
import { parseCslJsonText } from '../../../src/core/ingest/cslJsonParser';
import { parseRisText } from '../../../src/core/ingest/risParser';

const plain = (name: string): string => name.replace(/\u00a0/g, ' ');

test('BibTeX names: the family name a short form shows is the last name the library parsed, with its von part', () => {
  // "A. T. Fromhold Jr." showed as "Jr.", "Escudé Font" as "Font": the last word of the shown name.
  const cases: Array<[string, string, string]> = [
    ['Fromhold, Jr., A. T.', 'A. T. Fromhold, Jr.', 'Fromhold'],
    ['Fromhold Jr., A. T.', 'A. T. Fromhold Jr.', 'Fromhold'],
    ['Escud{\\\'e} Font, Xavier', 'Xavier Escudé Font', 'Escudé Font'],
    ['von Neumann, John', 'John von Neumann', 'von Neumann'],
    ['John von Neumann', 'John von Neumann', 'von Neumann'],
    ['de la Cruz, Juan', 'Juan de la Cruz', 'de la Cruz'],
    ['Ludwig van Beethoven', 'Ludwig van Beethoven', 'van Beethoven'],
    ['{World Health Organization}', 'World Health Organization', 'World Health Organization'],
    ['King, Jr., Martin Luther', 'Martin Luther King, Jr.', 'King'],
    ['Henry E. Kyburg, Jr.', 'Henry E. Kyburg, Jr.', 'Kyburg'],
    ['Vaswani, Ashish', 'Ashish Vaswani', 'Vaswani'],
    ['Plato', 'Plato', 'Plato'],
  ];
  const entries = cases.map(([source], i) => `@article{k${i}, title = {T${i}}, author = {${source}}}`).join('\n');
  const result = parseBibtexText(`${entries}\n`, 'names.bib');
  assert.deepEqual(
    result.papers.map((p) => [plain(p.authors[0] ?? ''), familyName(p.authors[0] ?? '')]),
    cases.map(([, shown, family]) => [shown, family]),
  );
});

test('CSL-JSON and RIS names carry their family part the same way', () => {
  const csl = parseCslJsonText(
    JSON.stringify([
      { id: 'a', title: 'T', author: [{ given: 'Xavier', family: 'Escudé Font' }, { given: 'A. T.', family: 'Fromhold', suffix: 'Jr.' }, { given: 'Ludwig', 'non-dropping-particle': 'van', family: 'Beethoven' }, { literal: 'World Health Organization' }] },
    ]),
    'names.json',
  );
  assert.deepEqual(
    csl.papers[0]?.authors.map((a) => [plain(a), familyName(a)]),
    [
      ['Xavier Escudé Font', 'Escudé Font'],
      ['A. T. Fromhold, Jr.', 'Fromhold'],
      ['Ludwig van Beethoven', 'van Beethoven'],
      ['World Health Organization', 'World Health Organization'],
    ],
  );
  const ris = parseRisText('TY  - JOUR\nTI  - T\nAU  - Escudé Font, Xavier\nAU  - Fromhold, A. T., Jr.\nER  - \n', 'names.ris');
  assert.deepEqual(
    ris.papers[0]?.authors.map((a) => [plain(a), familyName(a)]),
    [
      ['Xavier Escudé Font', 'Escudé Font'],
      ['A. T. Fromhold, Jr.', 'Fromhold'],
    ],
  );
});

test('a name written as one plain string gives its last word, a generational suffix passed over', () => {
  assert.equal(familyName('A. T. Fromhold Jr.'), 'Fromhold');
  assert.equal(familyName('Henry Ford II'), 'Ford');
  assert.equal(familyName('Smith, John'), 'Smith');
  assert.equal(familyName('Ashish Vaswani'), 'Vaswani');
  assert.equal(familyName('Jr.'), 'Jr.');
  assert.equal(familyName(''), '');
  assert.equal(displayName({ given: 'Ann', family: 'Lee', suffix: 'III' }), 'Ann Lee, III');
  assert.equal(displayName({ suffix: 'Jr.' }), 'Jr.');
});
