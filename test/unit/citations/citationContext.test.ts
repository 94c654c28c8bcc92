import { test } from 'node:test';
import assert from 'node:assert/strict';
import { citationContextAt, citationInsertText, type CitationContext } from '../../../src/core/citations/citationContext';
import { paragraphAround, prefixMatch, proseOf, rankByPrefix } from '../../../src/core/citations/citationRanking';

/** `|` marks the cursor; the line prefix is what comes before it. */
function at(line: string, syntax: 'pandoc' | 'latex'): CitationContext | undefined {
  return citationContextAt(line.slice(0, line.indexOf('|')), syntax);
}

test('Markdown: [@, [[@, ; @ and "see @" inside brackets write the key only', () => {
  const cases: [string, string][] = [
    ['As shown [@|', ''],
    ['As shown [@vas|', 'vas'],
    ['As shown [[@vas|', 'vas'],
    ['Both [@vaswani2017attention; @|', ''],
    ['Both [@a;@kir|', 'kir'],
    ['Both [see @kir|', 'kir'],
    ['Both [@a, p. 3; -@kir|', 'kir'],
    ['[@|', ''],
  ];
  for (const [line, prefix] of cases) {
    const replaceStart = line.indexOf('|') - prefix.length;
    assert.deepEqual(at(line, 'pandoc'), { syntax: 'pandoc', prefix, replaceStart, wrap: false }, line);
  }
});

test('Markdown: a bare @ after a space or at the line start is replaced by [@key]', () => {
  assert.deepEqual(at('Transformers @vas|', 'pandoc'), { syntax: 'pandoc', prefix: 'vas', replaceStart: 13, wrap: true });
  assert.deepEqual(at('@|', 'pandoc'), { syntax: 'pandoc', prefix: '', replaceStart: 0, wrap: true });
  const ctx = at('see @va|', 'pandoc')!;
  assert.equal(citationInsertText(ctx, 'vaswani2017attention'), '[@vaswani2017attention]');
  assert.equal(citationInsertText(at('see [@va|', 'pandoc')!, 'vaswani2017attention'), 'vaswani2017attention');
});

test('Markdown: e-mail addresses, closed brackets, LaTeX triggers and plain text are no citation', () => {
  for (const line of ['mail me@host|', 'done [@a] and|', 'words|', 'x(@a|', '\\cite{|', '[@a] then @ b|']) {
    assert.equal(at(line, 'pandoc'), undefined, line);
  }
  assert.equal(citationContextAt(`${'x '.repeat(6000)}@a`, 'pandoc'), undefined);
});

test('LaTeX: \\cite, \\citep, \\citet, \\parencite, \\autocite, starred, with optional arguments, after commas', () => {
  const cases: [string, string][] = [
    ['as in \\cite{|', ''],
    ['as in \\cite{vas|', 'vas'],
    ['as in \\citep{vas|', 'vas'],
    ['as in \\citet{vas|', 'vas'],
    ['as in \\parencite{vas|', 'vas'],
    ['as in \\autocite{vas|', 'vas'],
    ['as in \\cite*{vas|', 'vas'],
    ['as in \\citep[see][p.~3]{vas|', 'vas'],
    ['as in \\cite{kirillov2023segment,vas|', 'vas'],
    ['as in \\cite{kirillov2023segment, vas|', 'vas'],
    ['as in \\cite{kirillov2023segment, |', ''],
  ];
  for (const [line, prefix] of cases) {
    const prefixStart = line.indexOf('|') - prefix.length;
    assert.deepEqual(at(line, 'latex'), { syntax: 'latex', prefix, replaceStart: prefixStart, wrap: false }, line);
  }
});

test('LaTeX: closed braces, other commands, spaces inside a key and Markdown triggers are no citation', () => {
  for (const line of ['\\cite{a} and|', '\\ref{fig|', '\\cite{foo bar|', 'see [@a|', '\\citeauthor{a|', 'plain|']) {
    assert.equal(at(line, 'latex'), undefined, line);
  }
  assert.equal(citationInsertText(at('\\cite{|', 'latex')!, 'k'), 'k');
});

const papers = [
  { id: 'vaswani2017attention', title: 'Attention Is All You Need', authors: ['Vaswani, Ashish', 'Shazeer, Noam'], year: 2017 },
  { id: 'kirillov2023segment', title: 'Segment Anything', authors: ['Kirillov, Alexander'], year: 2023 },
  { id: 'smith2020', title: 'Visual attention in Vaswani-style models', authors: ['Smith, Ann'], year: 2020 },
  { id: 'mueller2020', title: 'Gravitational waves', authors: ['Müller, Jörg'], year: 2020 },
];

test('prefix ranking: key before author before title word, then newest; accents and case do not matter', () => {
  assert.equal(prefixMatch(papers[0]!, 'VAS'), 'key');
  assert.equal(prefixMatch(papers[0]!, 'shaz'), 'author');
  assert.equal(prefixMatch(papers[0]!, 'need'), 'title');
  assert.equal(prefixMatch(papers[3]!, 'mue'), 'key');
  assert.equal(prefixMatch(papers[3]!, 'mull'), 'author');
  assert.equal(prefixMatch(papers[3]!, 'jorg'), 'author');
  assert.equal(prefixMatch(papers[0]!, 'xyz'), undefined);
  assert.equal(prefixMatch(papers[0]!, ''), undefined);
  assert.deepEqual(
    rankByPrefix(papers, 'att', 10).map((r) => [r.paper.id, r.match]),
    [
      ['smith2020', 'title'],
      ['vaswani2017attention', 'title'],
    ],
  );
  assert.deepEqual(
    rankByPrefix(papers, 'vas', 10).map((r) => [r.paper.id, r.match]),
    [
      ['vaswani2017attention', 'key'],
      ['smith2020', 'title'],
    ],
  );
  assert.equal(rankByPrefix(papers, 'a', 1).length, 1);
});

test('the paragraph around the cursor, without citations, commands and markup', () => {
  const lines = [
    '# Method',
    'Earlier line.',
    '',
    'Image *segmentation* with promptable models [@kirillov2023segment] and',
    '\\textbf{masks} from \\cite{a,b} a [data engine](https://x.test) % a comment',
    'built by @someone.',
    '',
    'Next paragraph.',
  ];
  assert.equal(paragraphAround(lines, 4), 'Image segmentation with promptable models and masks from a data engine built by .');
  assert.equal(paragraphAround(lines, 7), 'Next paragraph.');
  assert.equal(proseOf('as in \\citep[see][]{x} and [[@y]] too'), 'as in and too');
  // The brace still open at the cursor: the prose after it stays.
  assert.equal(proseOf('masks \\cite{a, b is now common.'), 'masks is now common.');
  const long = Array.from({ length: 400 }, (_, i) => `word${i} is here`);
  const around = paragraphAround(long, 399);
  assert.ok(around.length <= 2000);
  assert.match(around, /word399 is here$/);
});
