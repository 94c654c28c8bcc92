/**
 * Go to Definition lands on the paper's entries in its library files; Find All References finds every
 * citation of a key in Markdown and LaTeX (case-insensitive, as BibTeX keys are), also from the key of
 * a .bib entry; cancellation stops the search and nothing throws.
 */
import { fakeLog } from './fakeVscode';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type * as vscode from 'vscode';
import { CitationDefinitionProvider, CitationReferenceProvider, keyOccurrences, type CitationNavigationDeps } from '../../../src/host/citations/citationNavigation';
import type { CatalogPaper } from '../../../src/host/library/paperCatalog';

const vaswani: CatalogPaper = {
  id: 'vaswani2017attention',
  title: 'Attention Is All You Need',
  authors: ['Vaswani, Ashish'],
  year: 2017,
  doi: '10.5555/3295222',
  keywords: [],
  abstractStart: '',
  sources: [
    { file: '/lib/papers.bib', line: 12 },
    { file: '/lib/more.bib', line: 3 },
  ],
};

const files: Record<string, string> = {
  '/ws/a.md': 'Transformers [@vaswani2017attention; @kirillov2023segment] changed NLP.\n\nAgain @Vaswani2017Attention.\nNot @vaswani2017attentionX.',
  '/ws/b.tex': 'As in \\citep[p.~3]{kirillov2023segment, vaswani2017attention}.\n% email me@vaswani2017attention.org',
  '/ws/gone.md': '',
};

function deps(readsLeft = Infinity): CitationNavigationDeps {
  return {
    catalog: { get: (id) => (id.toLowerCase() === vaswani.id ? vaswani : undefined), byDoiOrArxiv: (t) => (t === vaswani.doi ? vaswani : undefined) },
    listFiles: () => Promise.resolve(Object.keys(files).map((f) => ({ fsPath: f, toString: () => `file://${f}` }) as unknown as vscode.Uri)),
    readText: (uri) => {
      if (readsLeft-- <= 0) return Promise.reject(new Error('must not read after cancellation'));
      return uri.fsPath === '/ws/gone.md' ? Promise.reject(new Error('ENOENT')) : Promise.resolve(files[uri.fsPath] ?? '');
    },
    log: fakeLog(),
  };
}

function doc(lines: string[], languageId = 'markdown', fileName = '/ws/x.md'): vscode.TextDocument {
  return { languageId, fileName, lineCount: lines.length, lineAt: (i: number) => ({ text: lines[i] ?? '' }) } as unknown as vscode.TextDocument;
}
const pos = (line: number, character: number): vscode.Position => ({ line, character }) as vscode.Position;
const token = (cancelled = false): vscode.CancellationToken => ({ isCancellationRequested: cancelled }) as vscode.CancellationToken;

interface Loc {
  uri: { fsPath: string };
  range: { args: number[]; line?: number; character?: number };
}

test('keyOccurrences: Pandoc, bracketed lists, LaTeX lists, case-insensitive; not longer keys or e-mail addresses', () => {
  assert.deepEqual(keyOccurrences(files['/ws/a.md']!, 'vaswani2017attention'), [
    { line: 0, start: 15, end: 35 },
    { line: 2, start: 7, end: 27 },
  ]);
  assert.deepEqual(
    keyOccurrences(files['/ws/b.tex']!, 'VASWANI2017ATTENTION').map((o) => o.line),
    [0],
  );
});

test('go to definition: every library entry of the cited paper, by key or DOI; unknown keys and plain text give nothing', () => {
  const provider = new CitationDefinitionProvider(deps());
  const locations = provider.provideDefinition(doc(['See [@vaswani2017attention].']), pos(0, 10)) as unknown as { uri: { fsPath: string }; range: { line: number } }[];
  assert.deepEqual(
    locations.map((l) => [l.uri.fsPath, l.range.line]),
    [
      ['/lib/papers.bib', 11],
      ['/lib/more.bib', 2],
    ],
  );
  const byDoi = provider.provideDefinition(doc(['doi 10.5555/3295222 here']), pos(0, 8)) as unknown as unknown[];
  assert.equal(byDoi.length, 2);
  assert.equal(provider.provideDefinition(doc(['See [@unknown2020].']), pos(0, 8)), undefined);
  assert.equal(provider.provideDefinition(doc(['no citation here']), pos(0, 3)), undefined);
});

test('find references: from a citation and from a .bib entry, across .md and .tex; unreadable files are skipped', async () => {
  const provider = new CitationReferenceProvider(deps());
  const fromNote = (await provider.provideReferences(doc(['\\cite{vaswani2017attention}'], 'latex'), pos(0, 8), { includeDeclaration: true }, token())) as unknown as Loc[];
  assert.deepEqual(
    fromNote.map((l) => [l.uri.fsPath, ...l.range.args]),
    [
      ['/ws/a.md', 0, 15, 0, 35],
      ['/ws/a.md', 2, 7, 2, 27],
      ['/ws/b.tex', 0, 40, 0, 60],
    ],
  );
  const bib = ['@inproceedings{vaswani2017attention,', '  title = {Attention Is All You Need},'];
  const fromBib = (await provider.provideReferences(doc(bib, 'bibtex', '/lib/papers.bib'), pos(1, 5), { includeDeclaration: true }, token())) as unknown as Loc[];
  assert.equal(fromBib.length, 3);
  // A key not in the library still has citations to find.
  const unknown = (await provider.provideReferences(doc(['[@kirillov2023segment]']), pos(0, 4), { includeDeclaration: true }, token())) as unknown as Loc[];
  assert.deepEqual(
    unknown.map((l) => l.uri.fsPath),
    ['/ws/a.md', '/ws/b.tex'],
  );
});

test('find references stops when cancelled and never throws', async () => {
  const cancelled = await new CitationReferenceProvider(deps(0)).provideReferences(doc(['[@vaswani2017attention]']), pos(0, 4), { includeDeclaration: true }, token(true));
  assert.equal(cancelled, undefined);
  const broken = deps();
  broken.listFiles = () => Promise.reject(new Error('no workspace'));
  assert.equal(await new CitationReferenceProvider(broken).provideReferences(doc(['[@vaswani2017attention]']), pos(0, 4), { includeDeclaration: true }, token()), undefined);
});
