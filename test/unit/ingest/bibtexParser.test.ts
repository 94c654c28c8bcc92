import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseBibtexText } from '../../../src/core/ingest/bibtexParser';
import type { Paper, ParseResult } from '../../../src/shared/paper';
import { fixturePath, SHARED_ABSENT, sharedDataPath } from './ingestTestPaths';

function byId(result: ParseResult, id: string): Paper {
  const paper = result.papers.find((p) => p.id === id);
  assert.ok(paper, `paper ${id} not found`);
  return paper;
}

/** Entry start lines counted without the library: "@type{" / "@type(" lines that are not @string/@comment/@preamble. */
function entryLines(text: string): number[] {
  const lines: number[] = [];
  text.split('\n').forEach((line, i) => {
    const m = /^\s*@\s*(\w+)\s*[{(]/.exec(line);
    if (m?.[1] && !/^(string|comment|preamble)$/i.test(m[1])) lines.push(i + 1);
  });
  return lines;
}

test('malformed fixture: the broken entry is reported at its line and the others are read', () => {
  const file = fixturePath('malformed.bib');
  const result = parseBibtexText(readFileSync(file, 'utf8'), file);
  assert.deepEqual(
    result.papers.map((p) => p.id),
    ['good1', 'good2', 'withstring', 'good1-2', 'child', 'proc2020', 'lessthan'],
  );
  const broken = result.diagnostics.find((d) => d.message.includes('broken'));
  assert.ok(broken, 'no diagnostic for the broken entry');
  assert.equal(broken.line, 13);
  assert.equal(broken.severity, 'error');
  assert.match(broken.message, /^malformed entry @inproceedings\{broken\}: a field value is never closed .*; entry skipped$/);
  assert.equal(broken.file, file);
  assert.ok(result.diagnostics.some((d) => d.line === 35 && d.message.includes('no title')));
  assert.ok(result.diagnostics.some((d) => d.line === 40 && d.severity === 'warning' && d.message.includes('duplicate id "good1"')));
});

test('fields: LaTeX decoding, names, year, venue, DOI, keywords, arXiv eprint, @string', () => {
  const file = fixturePath('malformed.bib');
  const result = parseBibtexText(readFileSync(file, 'utf8'), file);
  const good1 = byId(result, 'good1');
  assert.equal(good1.title, 'Schrödinger Equations in Practice');
  assert.deepEqual(good1.authors, ['Jörg Müller', 'Anna Smith']);
  assert.equal(good1.year, 2019);
  assert.equal(good1.venue, 'Journal of Tests');
  assert.equal(good1.abstract, 'A study of pages 10–20 and more.');
  assert.equal(good1.doi, '10.1000/abc.123');
  assert.deepEqual([...good1.keywords].sort(), ['physics', 'quantum', 'testing']);
  assert.deepEqual(good1.sources, [{ file, line: 2 }]);
  const good2 = byId(result, 'good2');
  assert.equal(good2.arxivId, '1706.03762');
  assert.equal(good2.year, 2017);
  assert.equal(good2.abstract, '');
  assert.deepEqual(good2.authors, ['Ashish Vaswani', 'Noam Shazeer']);
  const withString = byId(result, 'withstring');
  assert.equal(withString.venue, 'Journal of Things');
  assert.equal(withString.title, 'Using @string Macros');
  const child = byId(result, 'child');
  assert.equal(child.venue, 'Proceedings of the Test Workshop');
  assert.equal(child.year, 2020);
  // The library maps "<" and ">" to "¡" and "¿" (OT1 glyphs) unless they are protected.
  const lessThan = byId(result, 'lessthan');
  assert.equal(lessThan.title, 'When p<0.05 and p > 1 Mislead');
  assert.equal(lessThan.abstract, 'Values below 5 – that is, x < 5 – are rare.');
  assert.deepEqual(lessThan.authors, ['Jane Doe']);
});

test('garbage input never throws', () => {
  for (const text of ['', '@', '@article', '@article{', '@article{x,', '@article{x, title = {a}', '}}}{{{', '@string{a = b # }', '\u0000\u0001']) {
    const result = parseBibtexText(text, 'garbage.bib');
    assert.ok(Array.isArray(result.papers));
  }
});

interface BibExpectation {
  file: string;
  entries: number;
  papers: number;
  withAbstract: number;
}

// Entry counts are checked against entryLines() above; paper counts were checked by hand: entries
// minus those with neither title nor abstract (odd-field-names: 74 name-only/date-only test entries;
// jabref: 10 without title; quirky: 1).
const SHARED_BIB: BibExpectation[] = [
  { file: 'bib/papers3-export.bib', entries: 3725, papers: 3725, withAbstract: 1286 },
  { file: 'bib/jabref-groups.bib', entries: 911, papers: 901, withAbstract: 473 },
  { file: 'bib/mendeley-export.bib', entries: 512, papers: 512, withAbstract: 313 },
  { file: 'bib/quirky-entries.bib', entries: 988, papers: 987, withAbstract: 14 },
  { file: 'bib/odd-field-names.bib', entries: 283, papers: 209, withAbstract: 0 },
];

const parsed = new Map<string, ParseResult>();
function parseShared(rel: string): ParseResult | undefined {
  const file = sharedDataPath(rel);
  if (file === undefined) return undefined;
  let result = parsed.get(rel);
  if (!result) {
    result = parseBibtexText(readFileSync(file, 'utf8'), file);
    parsed.set(rel, result);
  }
  return result;
}

for (const expected of SHARED_BIB) {
  test(`shared ${expected.file}: every entry is a paper or a diagnostic`, (t) => {
    const file = sharedDataPath(expected.file);
    if (file === undefined) return t.skip(SHARED_ABSENT);
    const result = parseShared(expected.file);
    assert.ok(result);
    const lines = entryLines(readFileSync(file, 'utf8'));
    assert.equal(lines.length, expected.entries);
    assert.equal(result.papers.length, expected.papers);
    assert.equal(result.papers.filter((p) => p.abstract !== '').length, expected.withAbstract);
    const accounted = new Set([...result.papers.map((p) => p.sources[0]?.line), ...result.diagnostics.map((d) => d.line)]);
    assert.deepEqual(lines.filter((l) => !accounted.has(l)), []);
    assert.equal(new Set(result.papers.map((p) => p.id)).size, result.papers.length, 'ids unique');
    for (const p of result.papers) {
      assert.notEqual(p.title, '');
      assert.doesNotMatch(p.title, /<\/?(i|b|sc|sup|sub|span)\b|\\[A-Za-z]/, `markup left in ${p.id}: ${p.title}`);
    }
  });
}

test('shared jabref-groups.bib: sampled entries', (t) => {
  const result = parseShared('bib/jabref-groups.bib');
  if (!result) return t.skip(SHARED_ABSENT);
  const bottger = byId(result, 'Bottger_1952');
  assert.equal(bottger.title, 'Über die Halbleitereigenschaften des Kupferoxyduls. IV Leitfähigkeitsmessungen bei hohen Temperaturen');
  assert.deepEqual(bottger.authors, ['O. Böttger']);
  assert.equal(bottger.year, 1952);
  assert.equal(bottger.venue, 'Annalen der Physik');
  assert.equal(bottger.sources[0]?.line, 1001);
  assert.equal(byId(result, 'Barman_1992').title, 'Investigation of the L₃–M₄₅M₄₅ Auger spectra of Cu, Cu₂O and CuO');
  assert.match(byId(result, 'Balamurugan_2002').title, /characteristics—structure/);
  assert.equal(byId(result, 'Roslyak_2007').arxivId, 'cond-mat/0703268');
  assert.equal(byId(result, 'Klier_1955').title.startsWith('Влияние'), true);
  // "1$, hut" opens a math section that never closes: reported, and the fields before it are kept.
  const trivich = result.diagnostics.find((d) => d.message.includes('Trivich_1978'));
  assert.equal(trivich?.line, 12355);
  assert.match(trivich?.message ?? '', /"\$" starts math that is never closed .*\(near line 12381\)/);
  assert.equal(byId(result, 'Trivich_1978').title, 'Cuprous oxide photovoltaic cells');
});

test('shared papers3-export.bib: unbalanced publisher braces are reported, the rest is read', (t) => {
  const result = parseShared('bib/papers3-export.bib');
  if (!result) return t.skip(SHARED_ABSENT);
  const malformed = result.diagnostics.filter((d) => d.message.startsWith('malformed entry'));
  assert.equal(malformed.length, 23);
  const first = malformed.find((d) => d.message.includes('AGESCHEIDER:2009dk'));
  assert.equal(first?.line, 267);
  const paper = byId(result, 'AGESCHEIDER:2009dk');
  assert.equal(paper.title, 'The Effects of Skin Temperature on the Detection and Discrimination of Tactile Stimulation');
  assert.equal(paper.year, 2009);
});

test('shared quirky-entries.bib: parenthesised entries and quoted values', (t) => {
  const result = parseShared('bib/quirky-entries.bib');
  if (!result) return t.skip(SHARED_ABSENT);
  const p = byId(result, 'Biermann:75');
  assert.equal(p.title, 'Approaches to automatic programming');
  assert.deepEqual(p.authors, ['Alan W. Biermann']);
  assert.equal(p.year, 1975);
  assert.equal(p.venue, 'Advances in Computers');
  assert.deepEqual(p.sources[0], { file: sharedDataPath('bib/quirky-entries.bib'), line: 1 });
});

test('a huge field is read in linear time and in full (the library is quadratic in field length)', () => {
  // A 2 MB abstract took minutes in the library; fuzzing with huge fields found it.
  const words = 'lorem ipsum dolor sit amet '.repeat(80_000);
  const text = `@article{big, title = {Big}, abstract = {${words}}, year = 2001}\n@article{next,\n  title = {Next},\n  abstract = {With \\emph{LaTeX} ${words}}\n}\n`;
  const started = Date.now();
  const result = parseBibtexText(text, 'huge.bib');
  assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
  const [big, next] = result.papers;
  assert.equal(big?.abstract, words.trim());
  assert.equal(big?.year, 2001);
  assert.equal(next?.sources[0]?.line, 2);
  assert.equal(next?.abstract, `With LaTeX ${words.trim()}`);
  assert.deepEqual(
    result.diagnostics.map((d) => [d.line, d.severity]),
    [[2, 'info']],
    'the LaTeX of the second abstract was stripped, not decoded: said once, at its entry',
  );
});

test('an entry line behind invisible characters still starts an entry (a BOM where two exports were joined)', () => {
  const text = '@article{a, title = {First}}\n\uFEFF@article{b, title = {Second}}\n\uFFFD@article{c, title = {Third}}\n';
  const result = parseBibtexText(text, 'joined.bib');
  assert.deepEqual(
    result.papers.map((p) => [p.id, p.sources[0]?.line]),
    [
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ],
  );
  assert.deepEqual(result.diagnostics, []);
});

test('an entry whose "@" does not start its line is still read, as BibTeX reads it; fields without any "@" line are reported', () => {
  // Fuzzing found such entries dropped without a word when they followed @comment or came first.
  const after = parseBibtexText('@article{a,\n  title = {First}\n}\nx@article{b,\n  title = {Second}\n}\n', 'mangled.bib');
  assert.deepEqual(
    after.papers.map((p) => [p.id, p.sources[0]?.line]),
    [
      ['a', 1],
      ['b', 4],
    ],
  );
  assert.deepEqual(after.diagnostics, []);
  for (const head of ['% header\nx@article{b,\n  title = {Second}\n}\n', '@comment{jabref-meta: x;}\n!@article{b,\n  title = {Second}\n}\n']) {
    const result = parseBibtexText(`${head}@article{a, title = {Kept}}\n`, 'mangled-first.bib');
    assert.deepEqual(
      result.papers.map((p) => [p.id, p.sources[0]?.line]),
      [
        ['b', 2],
        ['a', 5],
      ],
      head,
    );
    assert.deepEqual(result.diagnostics, [], head);
  }
  const noAt = parseBibtexText('% header\narticle{b,\n  title = {Lost}\n}\n@article{a, title = {Kept}}\n', 'no-at.bib');
  assert.deepEqual(
    noAt.diagnostics.map((d) => [d.line, d.severity]),
    [[3, 'warning']],
  );
  const afterComment = parseBibtexText('@comment{jabref-meta: x;}\narticle{b,\n  title = {Lost}\n}\n@article{a, title = {Kept}}\n', 'after-comment.bib');
  assert.deepEqual(
    afterComment.diagnostics.map((d) => [d.line, d.message.startsWith('text after the end of @comment')]),
    [[2, true]],
  );
  // A broken entry the library finds further into a chunk is reported at its own "@" line.
  const inner = parseBibtexText('@article{a, title = {Kept}}\n!@inproceedings{broken,\n  title = {Never {closed}\n}\n', 'inner.bib');
  assert.equal(inner.diagnostics.find((d) => d.message.includes('broken'))?.line, 2);
  assert.deepEqual(
    inner.papers.map((p) => p.id),
    ['a'],
  );
});

test('several entries on one line are each an entry, with a huge field in any of them read in full', () => {
  // The library is quadratic in field length and huge fields are taken out per entry: a second entry
  // on the line of the first used to reach the library with its huge field.
  const words = 'lorem ipsum dolor sit amet '.repeat(40_000);
  const text = `@article{a, title = {First}} @article{b, title = {Second}, abstract = {${words}}} @comment{x} @misc(c, title = {Third (3})\n@article{d, title = {Fourth}}\n`;
  const started = Date.now();
  const result = parseBibtexText(text, 'one-line.bib');
  assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
  assert.deepEqual(
    result.papers.map((p) => [p.id, p.title, p.sources[0]?.line]),
    [
      ['a', 'First', 1],
      ['b', 'Second', 1],
      ['c', 'Third (3', 1],
      ['d', 'Fourth', 2],
    ],
  );
  assert.equal(result.papers[1]?.abstract, words.trim());
  assert.deepEqual(result.diagnostics, []);
});

test('a failed entry with a huge key is located without building a regular expression of it', () => {
  // Fuzzing crashed the parser here: "Invalid regular expression" from a 50,000-character key.
  const key = '"'.repeat(50_000);
  const result = parseBibtexText(`@article{a, title = {Kept}}\n!@article{${key}, title = {Never closed}\n`, 'huge-key.bib');
  assert.deepEqual(
    result.papers.map((p) => p.id),
    ['a'],
  );
  assert.ok(result.diagnostics.every((d) => d.line >= 1 && d.line <= 2));
});

test('an @string never closed is reported: it swallows the text up to the next entry', () => {
  const result = parseBibtexText('@string{%{@article{x,\n  title = {Swallowed}\n}\n@article{y, title = {Next}}\n', 'string.bib');
  assert.deepEqual(
    result.papers.map((p) => p.id),
    ['y'],
  );
  assert.deepEqual(
    result.diagnostics.map((d) => [d.line, /^@string is never closed/.test(d.message)]),
    [[1, true]],
  );
});

test('an "@{" read by the library inside an unclosed entry is reported at its own line', () => {
  // Fuzz soak (seed 1144651473): reported at the unclosed entry's line instead.
  const result = parseBibtexText('@article{a,\n  title = {Kept},\n  publisher = {Unclosed,\n}\n@{@article{b,\n  title = {Mangled}\n}\n', 'at-brace.bib');
  const runaway = result.diagnostics.find((d) => d.message.startsWith('malformed entry @{}'));
  assert.equal(runaway?.line, 5);
});

test('@string macros: expansion is capped per macro, and a refused or broken macro costs only itself', () => {
  // 40 doubling macros asked for 2^40 characters: 25 s and 3.3 GB for 1.3 KB, and when the library
  // threw (past V8's longest string) every macro of the file was lost.
  const doubling = Array.from({ length: 30 }, (_, i) => (i === 0 ? '@string{m0 = "ab"}' : `@string{m${i} = m${i - 1} # m${i - 1}}`)).join('\n');
  const text = [
    '@string{good = "Kept Journal"}',
    doubling,
    '@string{broken = {never closed',
    '@string{after = "Later" # " " # good}',
    '@article{a, title = {First}, journal = good, note = m29}',
    '@article{b, title = {Second}, journal = after}',
    '@article{c, title = {Third}, journal = m5}',
    '',
  ].join('\n');
  const started = Date.now();
  const result = parseBibtexText(text, 'macros.bib');
  assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
  assert.deepEqual(
    result.papers.map((p) => [p.id, p.venue]),
    [
      ['a', 'Kept Journal'],
      ['b', 'Later Kept Journal'],
      ['c', 'ab'.repeat(32)],
    ],
  );
  const refused = result.diagnostics.filter((d) => /expands to over 4k characters/.test(d.message));
  assert.equal(refused[0]?.line, 2 + 11, 'm11 is the first over 4k characters');
  assert.ok(result.diagnostics.some((d) => d.line === 32 && /^@string is never closed/.test(d.message)));
  const halfBroken = parseBibtexText('@string{a = "A"}\n@string{b = }\n@string{c = "C"}\n@article{k, title = {T}, journal = a # c}\n', 'half.bib');
  assert.equal(halfBroken.papers[0]?.venue, 'AC');
  assert.deepEqual(
    halfBroken.diagnostics.map((d) => [d.line, d.message]),
    [[2, '@string "b" was not defined: its value is missing']],
  );
  assert.ok(!result.diagnostics.some((d) => /undefined @string "m29"/.test(d.message)), 'a refused macro is reported where it is defined, not again where used');
});

test('@string macros: expansion is bounded per entry and per file, the rest keep their names', () => {
  // Macros put text into fields after the check for huge fields, and the library is quadratic in a
  // field's length: an entry may expand to 8k characters, a file to 50k plus twice its size.
  const big = 'x'.repeat(3500);
  const tooMuch = parseBibtexText(`@string{big = "${big}"}\n@article{a, title = {T}, abstract = big # big # big}\n@article{b, title = {T2}, abstract = big # big}\n`, 'entry.bib');
  assert.deepEqual(
    tooMuch.papers.map((p) => p.abstract.length),
    [9, 7000],
  );
  assert.ok(tooMuch.diagnostics.some((d) => /macros not expanded in some entries \("BIG"\)/.test(d.message)));
  const entries = Array.from({ length: 30 }, (_, i) => `@article{k${i}, title = {T${i}}, abstract = big # big}`).join('\n');
  const started = Date.now();
  const file = parseBibtexText(`@string{big = "${big}"}\n${entries}\n`, 'file.bib');
  assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
  const expanded = file.papers.filter((p) => p.abstract.length === 7000).length;
  assert.ok(expanded >= 7 && expanded < 30, `${expanded} entries expanded`);
  assert.ok(file.papers.every((p) => p.abstract.length === 7000 || p.abstract === 'bigbig'));
});

test('diagnostics are capped per file: 20,000 broken entries give 100 and one note that counts the rest', () => {
  // 80,000 "@a{" gave 80,000 diagnostics (and took minutes: see the fuzz harness's scaling cases).
  const text = '@a{'.repeat(20_000);
  const started = Date.now();
  const result = parseBibtexText(text, 'at-a.bib');
  assert.ok(Date.now() - started < 20_000, `took ${Date.now() - started} ms`);
  assert.equal(result.diagnostics.length, 101);
  assert.match(result.diagnostics[100]?.message ?? '', /^\d+ more problems in this file are not listed one by one/);
  assert.equal(result.diagnostics[100]?.severity, 'error');
});

test('an "@" the library can only fail on is hidden from it and comes back in the fields', () => {
  // A line of "@" after an entry cost the library a pass over the text for each (160 KB: 133 s).
  const text = `@article{a, title = {Mail a@b.org}, abstract = {Write to x@y.org or @z}}\n${'@'.repeat(100_000)}\n@article{b, title = {After}, author = {Ann @ Lee}}\n`;
  const started = Date.now();
  const result = parseBibtexText(text, 'at.bib');
  assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
  assert.deepEqual(
    result.papers.map((p) => [p.id, p.title, p.abstract, p.authors]),
    [
      ['a', 'Mail a@b.org', 'Write to x@y.org or @z', []],
      ['b', 'After', '', ['Ann @ Lee']],
    ],
  );
  assert.ok(!JSON.stringify(result).includes('\uE040'));
});

test('an entry using hundreds of undefined macros keeps their names as text, in linear time', () => {
  const names = Array.from({ length: 1000 }, (_, i) => `u${i}`);
  const result = parseBibtexText(`@article{a, title = {T}, journal = cacm, note = ${names.join(' # ')}}\n`, 'undefined.bib');
  assert.equal(result.papers[0]?.venue, 'Communications of the ACM', "the library's own macros still expand");
  assert.deepEqual(
    result.diagnostics.map((d) => d.message),
    ['1000 undefined @string names used here; their names were kept as the text'],
  );
});
