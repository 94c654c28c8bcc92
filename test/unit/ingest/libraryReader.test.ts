import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { detectFormat, mergePapers, readLibraryFile } from '../../../src/core/ingest/libraryReader';
import { parseBibtexText } from '../../../src/core/ingest/bibtexParser';
import { buildPaper } from '../../../src/core/ingest/paperRecord';
import type { ParseResult } from '../../../src/shared/paper';
import { fixturePath, SHARED_ABSENT, sharedDataPath } from './ingestTestPaths';

const tmp = mkdtempSync(path.join(tmpdir(), 'paper-atlas-ingest-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

function write(name: string, content: string | Uint8Array): string {
  const p = path.join(tmp, name);
  writeFileSync(p, content);
  return p;
}

test('detectFormat by extension and by content', () => {
  assert.equal(detectFormat('a.bib', ''), 'bibtex');
  assert.equal(detectFormat('a.BibTeX', ''), 'bibtex');
  assert.equal(detectFormat('a.ris', ''), 'ris');
  assert.equal(detectFormat('a.jsonl.gz', ''), 'json-lines');
  assert.equal(detectFormat('a.ndjson', ''), 'json-lines');
  assert.equal(detectFormat('a.json', '[{"id": "x"}]'), 'csl-json');
  assert.equal(detectFormat('a.json', '{"id": "x"}\n{"id": "y"}\n'), 'json-lines');
  assert.equal(detectFormat('notes/a.md', '---\ntitle: x\n---'), 'markdown');
  assert.equal(detectFormat('a.txt', 'Title\n\nAbstract'), 'pasted-list');
  assert.equal(detectFormat('a.txt', 'TY  - JOUR\n'), 'ris');
  assert.equal(detectFormat('refs', '% comment\n@article{x,\n'), 'bibtex');
  assert.equal(detectFormat('a.bin', '\u0000\u0001'), undefined);
});

test('readLibraryFile: BOM and CRLF are normalised before parsing', async () => {
  const file = write('crlf.bib', '\uFEFF@article{a,\r\n  title = {CRLF Title},\r\n  abstract = {Line one\r\n  line two}\r\n}\r\n');
  const result = await readLibraryFile(file);
  assert.equal(result.papers[0]?.title, 'CRLF Title');
  assert.equal(result.papers[0]?.abstract, 'Line one line two');
  assert.equal(result.papers[0]?.sources[0]?.line, 1);
});

test('readLibraryFile: .gz of any format is decompressed', async () => {
  const bib = write('refs.bib.gz', gzipSync('@article{z, title = {Zipped Title}}\n'));
  assert.equal((await readLibraryFile(bib)).papers[0]?.title, 'Zipped Title');
  const jsonl = write('refs.jsonl.gz', gzipSync('{"id": "2503.11731", "title": "T", "abstract": "A"}\n'));
  const result = await readLibraryFile(jsonl);
  assert.equal(result.papers[0]?.arxivId, '2503.11731');
});

test('readLibraryFile skips binary, oversized, corrupt gzip and missing files with one line-0 diagnostic', async () => {
  const cases: Array<[string, RegExp]> = [
    [write('binary.bib', Uint8Array.from([0x40, 0x61, 0x00, 0x01, 0x02])), /binary/],
    [write('binary.jsonl', Uint8Array.from([0x7b, 0x7d, 0x00, 0x0a])), /binary/],
    [write('corrupt.bib.gz', 'not gzip at all'), /gzip/],
    [path.join(tmp, 'missing.bib'), /could not be read/],
  ];
  for (const [file, reason] of cases) {
    const result = await readLibraryFile(file);
    assert.equal(result.papers.length, 0, file);
    assert.equal(result.diagnostics.length, 1, file);
    assert.equal(result.diagnostics[0]?.line, 0);
    assert.equal(result.diagnostics[0]?.file, file);
    assert.match(result.diagnostics[0]?.message ?? '', reason, file);
  }
  const big = write('big.bib', `@article{a, title = {${'x'.repeat(2000)}}}`);
  const tooBig = await readLibraryFile(big, { maxBytes: 1000 });
  assert.equal(tooBig.papers.length, 0);
  assert.match(tooBig.diagnostics[0]?.message ?? '', /size limit/);
  const bomb = write('bomb.jsonl.gz', gzipSync(`${'{"title": "t", "abstract": "a"}\n'.repeat(200)}`));
  assert.match((await readLibraryFile(bomb, { maxBytes: 2000 })).diagnostics[0]?.message ?? '', /size limit/);
  const bibBomb = write('bomb.bib.gz', gzipSync(`@article{a, title = {${'x'.repeat(5000)}}}`));
  assert.match((await readLibraryFile(bibBomb, { maxBytes: 2000 })).diagnostics[0]?.message ?? '', /size limit/);
});

test('readLibraryFile: invalid UTF-8 costs only its line, reported there; the rest of the file is read', async () => {
  // Before, one Latin-1 byte anywhere made the whole file "not valid UTF-8; skipped".
  const good = (key: string, title: string): string => `@article{${key},\n  title = {${title}}\n}\n`;
  const bib = Buffer.concat([Buffer.from(good('a', 'First')), Buffer.from('@article{b,\n  title = {Caf'), Uint8Array.from([0xe9]), Buffer.from('}\n}\n'), Buffer.from(good('c', 'Third'))]);
  const result = await readLibraryFile(write('latin1-one-byte.bib', bib));
  assert.deepEqual(
    result.papers.map((p) => [p.id, p.title, p.sources[0]?.line]),
    [
      ['a', 'First', 1],
      ['b', 'Caf\uFFFD', 4],
      ['c', 'Third', 7],
    ],
  );
  assert.deepEqual(
    result.diagnostics.map((d) => [d.line, d.severity]),
    [[5, 'warning']],
  );
  assert.match(result.diagnostics[0]?.message ?? '', /UTF-8/);
  const jsonl = write('latin1.jsonl', Buffer.concat([Buffer.from('{"title": "A", "abstract": "x"}\n{"title": "'), Uint8Array.from([0xe9]), Buffer.from('"}\n{"title": "C", "abstract": "z"}\n')]));
  const lines = await readLibraryFile(jsonl);
  assert.deepEqual(
    lines.papers.map((p) => [p.title, p.sources[0]?.line]),
    [
      ['A', 1],
      ['\uFFFD', 2],
      ['C', 3],
    ],
  );
  assert.equal(lines.diagnostics.filter((d) => d.line === 2 && /UTF-8/.test(d.message)).length, 1);
});

test('readLibraryFile: a NUL past the first 8,000 bytes is damage, not a binary file; UTF-16 with a BOM is text', async () => {
  const filler = `@comment{${'x'.repeat(9000)}}\n`;
  const nul = Buffer.concat([Buffer.from(`${filler}@article{a, title = {Before}}\n@article{b, title = {Bad`), Uint8Array.from([0]), Buffer.from('}}\n@article{c, title = {After}}\n')]);
  const result = await readLibraryFile(write('late-nul.bib', nul));
  assert.deepEqual(
    result.papers.map((p) => p.title),
    ['Before', 'Bad\uFFFD', 'After'],
  );
  assert.deepEqual(
    result.diagnostics.map((d) => d.line),
    [3],
  );
  const text = '@article{u16, title = {Sch\u00f6n}}\r\n@article{v, title = {Zwei}}\r\n';
  const le = Buffer.from(`\uFEFF${text}`, 'utf16le');
  for (const [name, bytes] of [['utf16le.bib', le], ['utf16be.bib', Buffer.from(le).swap16()]] as const) {
    const u16 = await readLibraryFile(write(name, bytes));
    assert.deepEqual(
      u16.papers.map((p) => [p.title, p.sources[0]?.line]),
      [
        ['Sch\u00f6n', 1],
        ['Zwei', 2],
      ],
      name,
    );
  }
});

test('readLibraryFile routes .md notes, .md lists and .txt lists', async () => {
  assert.equal((await readLibraryFile(fixturePath('zotero-note.md'))).papers[0]?.id, 'vaswani2017attention');
  assert.equal((await readLibraryFile(fixturePath('second-list.md'))).papers.length, 3);
  assert.deepEqual(await readLibraryFile(fixturePath('plain-note.md')), { papers: [], diagnostics: [] });
});

function result(...papers: Parameters<typeof buildPaper>[]): ParseResult {
  return { papers: papers.map((args) => buildPaper(...args)), diagnostics: [] };
}

test('mergePapers: same DOI, arXiv id or title becomes one paper with every source', () => {
  const a = result(
    [{ id: 'key1', title: 'Attention Is All You Need', abstract: 'Short.', authors: ['A. Vaswani'], keywords: ['nlp'] }, { file: 'a.bib', line: 3 }],
    [{ id: 'doiPaper', title: 'Some Journal Paper About Things', doi: '10.1000/X' }, { file: 'a.bib', line: 9 }],
    [{ id: 'intro1', title: 'Introduction', year: 2004, authors: ['C. Knowles'] }, { file: 'a.bib', line: 20 }],
  );
  const b = result(
    [{ id: '1706.03762', title: 'Attention is all you need.', abstract: 'A much longer abstract.', authors: ['Ashish Vaswani', 'Noam Shazeer'], keywords: ['NLP', 'transformers'], arxivId: '1706.03762' }, { file: 'b.jsonl', line: 1 }],
    [{ id: 'other', title: 'Renamed In This Export', doi: 'https://doi.org/10.1000/x' }, { file: 'b.ris', line: 5 }],
    [{ id: 'intro2', title: 'Introduction', year: 2019, authors: ['D. Other'] }, { file: 'b.ris', line: 30 }],
    [{ id: 'key1', title: 'A Different Paper With A Clashing Key' }, { file: 'b.ris', line: 40 }],
  );
  const merged = mergePapers([a, b]);
  assert.equal(merged.papers.length, 5);
  const attention = merged.papers[0];
  assert.equal(attention?.id, 'key1');
  assert.equal(attention?.title, 'Attention Is All You Need');
  assert.equal(attention?.abstract, 'A much longer abstract.');
  assert.deepEqual(attention?.authors, ['Ashish Vaswani', 'Noam Shazeer']);
  assert.deepEqual(attention?.keywords, ['nlp', 'transformers']);
  assert.equal(attention?.arxivId, '1706.03762');
  assert.deepEqual(attention?.sources, [
    { file: 'a.bib', line: 3 },
    { file: 'b.jsonl', line: 1 },
  ]);
  assert.equal(attention?.contentHash, buildPaper({ title: 'Attention Is All You Need', abstract: 'A much longer abstract.' }, { file: '', line: 0 }).contentHash);
  assert.equal(merged.papers[1]?.sources.length, 2, 'merged by DOI despite different titles');
  // Two unrelated papers titled "Introduction" stay apart.
  assert.deepEqual(
    merged.papers.filter((p) => p.title === 'Introduction').map((p) => p.id),
    ['intro1', 'intro2'],
  );
  assert.equal(merged.papers[4]?.id, 'key1-2');
  assert.equal(merged.diagnostics.length, 1);
  assert.equal(merged.diagnostics[0]?.severity, 'warning');
  assert.equal(merged.diagnostics[0]?.line, 40);
  assert.equal(new Set(merged.papers.map((p) => p.id)).size, merged.papers.length);
  // Inputs untouched.
  assert.equal(a.papers[0]?.abstract, 'Short.');
  assert.equal(a.papers[0]?.sources.length, 1);
});

test('mergePapers keeps papers whose DOIs differ apart even with one title', () => {
  const merged = mergePapers([
    result([{ title: 'A Paper Published Twice Over', doi: '10.1/a' }, { file: 'a', line: 1 }]),
    result([{ title: 'A Paper Published Twice Over', doi: '10.1/b' }, { file: 'b', line: 1 }]),
  ]);
  assert.equal(merged.papers.length, 2);
});

test('shared data: RIS exports of one review merge across files', async (t) => {
  const files = ['ris/schoot-lgmm-ptsd-included-1.ris', 'ris/schoot-lgmm-ptsd-included-2.ris', 'ris/schoot-lgmm-ptsd-included-3.ris'].map(sharedDataPath);
  if (files.some((f) => f === undefined)) return t.skip(SHARED_ABSENT);
  const results = await Promise.all(files.map((f) => readLibraryFile(f ?? '')));
  const total = results.reduce((n, r) => n + r.papers.length, 0);
  assert.equal(total, 409);
  const merged = mergePapers(results);
  assert.ok(merged.papers.length < total);
  const multi = merged.papers.filter((p) => p.sources.length > 1);
  assert.equal(merged.papers.length + multi.reduce((n, p) => n + p.sources.length - 1, 0), total);
  assert.equal(new Set(merged.papers.map((p) => p.id)).size, merged.papers.length);
});

test('bib fixture read through readLibraryFile matches the parser', async () => {
  const file = fixturePath('malformed.bib');
  assert.deepEqual(await readLibraryFile(file), parseBibtexText(readFileSync(file, 'utf8'), file));
});
