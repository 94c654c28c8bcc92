/**
 * Citation completion with the catalogue and engine as plain objects: the prefix ranks by key, author
 * and title; no prefix asks the engine with the paragraph around the cursor and keeps its order; a
 * cancelled, failing or silent engine never throws; items write the document's syntax.
 */
import { fakeLog } from './fakeVscode';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type * as vscode from 'vscode';
import { CitationCompletionProvider, type CitationCompletionDeps } from '../../../src/host/citations/citationCompletionProvider';
import type { CatalogPaper } from '../../../src/host/library/paperCatalog';
import type { SearchHit } from '../../../src/shared/engineProtocol';
import type { Paper } from '../../../src/shared/paper';

function paper(id: string, title: string, authors: string[], year: number, abstract: string): CatalogPaper & { abstract: string } {
  return { id, title, authors, year, keywords: [], abstractStart: abstract, abstract, sources: [{ file: '/lib/papers.bib', line: 1 }] };
}

const library = [
  paper('vaswani2017attention', 'Attention Is All You Need', ['Vaswani, Ashish', 'Shazeer, Noam'], 2017, 'A network architecture based solely on attention mechanisms for machine translation.'),
  paper('kirillov2023segment', 'Segment Anything', ['Kirillov, Alexander'], 2023, 'A promptable model and dataset for image segmentation with a billion masks.'),
  paper('smith2020', 'Visual attention *models* $(zap)', ['Smith, Ann'], 2020, 'Attention for images [x](command:evil).'),
];

interface Item {
  label: { label: string; detail?: string; description?: string };
  insertText: string;
  range: { args: number[] };
  sortText: string;
  detail?: string;
  documentation: { value: string; isTrusted: unknown };
}

function deps(engine: (text: string) => Promise<SearchHit[]>, asked: string[] = []): CitationCompletionDeps {
  const byId = new Map(library.map((p) => [p.id, p]));
  return {
    catalog: { all: () => library.values(), get: (id) => byId.get(id), size: library.length },
    engine: () =>
      Promise.resolve({
        relatedToText: ({ text, k }) => {
          asked.push(text);
          return engine(text).then((hits) => hits.slice(0, k));
        },
        papers: (ids: string[]) => Promise.resolve(library.filter((p) => ids.includes(p.id)) as unknown as Paper[]),
      }),
    log: fakeLog(),
  };
}

function doc(languageId: string, lines: string[]): vscode.TextDocument {
  return { languageId, lineCount: lines.length, lineAt: (i: number) => ({ text: lines[i] ?? '' }) } as unknown as vscode.TextDocument;
}

function token(cancelled = false): vscode.CancellationToken {
  return { isCancellationRequested: cancelled, onCancellationRequested: () => ({ dispose: () => undefined }) } as unknown as vscode.CancellationToken;
}

async function complete(d: CitationCompletionDeps, document: vscode.TextDocument, line: number, character: number, cancelled = false): Promise<{ items: Item[]; isIncomplete: boolean } | undefined> {
  const list = await new CitationCompletionProvider(d).provideCompletionItems(document, { line, character } as vscode.Position, token(cancelled));
  return list as unknown as { items: Item[]; isIncomplete: boolean } | undefined;
}

const hit = (id: string, score: number): SearchHit => ({ id, title: library.find((p) => p.id === id)!.title, score, authors: [], source: '' });

test('a typed prefix ranks by key, then author, then title word; the engine is not asked', async () => {
  const asked: string[] = [];
  const d = deps(() => Promise.reject(new Error('must not be called')), asked);
  const byKey = await complete(d, doc('markdown', ['As shown [@kir']), 0, 14);
  assert.deepEqual(byKey?.items.map((i) => i.label.label), ['kirillov2023segment']);
  assert.equal(byKey?.items[0]?.insertText, 'kirillov2023segment');
  assert.deepEqual(byKey?.items[0]?.range.args, [0, 11, 0, 14]);
  const byTitle = await complete(d, doc('latex', ['as in \\citep{att']), 0, 16);
  assert.deepEqual(byTitle?.items.map((i) => i.label.label), ['smith2020', 'vaswani2017attention']);
  const byAuthor = await complete(d, doc('latex', ['as in \\cite{a,shaz']), 0, 18);
  assert.deepEqual(byAuthor?.items.map((i) => i.label.label), ['vaswani2017attention']);
  assert.deepEqual(asked, []);
});

test('no prefix: the paragraph around the cursor goes to the engine and its order is kept, with the reason', async () => {
  const asked: string[] = [];
  const d = deps(() => Promise.resolve([hit('kirillov2023segment', 0.9), hit('vaswani2017attention', 0.4)]), asked);
  const lines = ['Other paragraph.', '', 'Promptable image segmentation with a billion masks \\cite{', 'is now common.'];
  const list = await complete(d, doc('latex', lines), 2, lines[2]!.length);
  assert.deepEqual(asked, ['Promptable image segmentation with a billion masks is now common.']);
  assert.deepEqual(list?.items.map((i) => i.label.label), ['kirillov2023segment', 'vaswani2017attention']);
  assert.equal(list?.isIncomplete, true);
  const first = list!.items[0]!;
  assert.equal(first.label.description, 'Kirillov · 2023');
  assert.equal(first.label.detail, ' Segment Anything');
  assert.match(first.detail ?? '', /^shared: .*image segmentation/);
  assert.match(first.documentation.value, /billion masks/);
  assert.ok(first.sortText < list!.items[1]!.sortText);
});

test('a bare @ in Markdown writes [@key] over the @; other documents and plain text get nothing', async () => {
  const d = deps(() => Promise.resolve([hit('vaswani2017attention', 0.9)]));
  const list = await complete(d, doc('markdown', ['Attention for translation @']), 0, 27);
  assert.equal(list?.items[0]?.insertText, '[@vaswani2017attention]');
  assert.deepEqual(list?.items[0]?.range.args, [0, 26, 0, 27]);
  assert.equal(await complete(d, doc('plaintext', ['see [@']), 0, 6), undefined);
  assert.equal(await complete(d, doc('markdown', ['mail me@host']), 0, 12), undefined);
});

test('a failing or silent engine falls back to the newest papers; a cancelled request returns nothing; nothing throws', async () => {
  const failing = await complete(deps(() => Promise.reject(new Error('engine crashed'))), doc('markdown', ['Some text [@']), 0, 12);
  assert.deepEqual(failing?.items.map((i) => i.label.label), ['kirillov2023segment', 'smith2020', 'vaswani2017attention']);
  assert.equal(failing?.items[0]?.detail, undefined);
  assert.equal(await complete(deps(() => Promise.resolve([hit('smith2020', 1)])), doc('markdown', ['Some text [@']), 0, 12, true), undefined);
  const broken = deps(() => Promise.resolve([]));
  broken.catalog = { all: () => { throw new Error('boom'); }, get: () => undefined, size: 3 };
  assert.equal(await complete(broken, doc('markdown', ['x [@a']), 0, 5), undefined);
});

test('documentation shows library text as text: no trusted commands, icons or links', async () => {
  const list = await complete(deps(() => Promise.resolve([])), doc('markdown', ['[@smi']), 0, 5);
  const documentation = list!.items[0]!.documentation;
  assert.equal(documentation.isTrusted, false);
  assert.match(documentation.value, /\\\$\\\(zap\\\)/);
  assert.ok(documentation.value.includes('\\[x\\]\\(command\\:evil\\)'), documentation.value);
});

test('the library is folded once for prefix ranking and again after it changes', async () => {
  let reads = 0;
  let papers: CatalogPaper[] = [library[0]!];
  const d: CitationCompletionDeps = {
    ...deps(() => Promise.resolve([])),
    catalog: {
      all: () => {
        reads++;
        return papers.values();
      },
      get: (id) => papers.find((p) => p.id === id),
      get size() {
        return papers.length;
      },
    },
  };
  const provider = new CitationCompletionProvider(d);
  const keys = async (): Promise<string[]> => {
    const list = (await provider.provideCompletionItems(doc('latex', ['\\cite{a']), { line: 0, character: 7 } as vscode.Position, token())) as unknown as { items: Item[] };
    return list.items.map((i) => i.label.label);
  };
  assert.deepEqual(await keys(), ['vaswani2017attention']);
  assert.deepEqual(await keys(), ['vaswani2017attention']);
  assert.equal(reads, 1, 'two keystrokes, one pass over the library');
  // Same size, other paper: only the change event tells (the rebuild runs off the keystroke, after 200 ms).
  papers = [paper('adams2021', 'Another', ['Adams, Ann'], 2021, '')];
  provider.libraryChanged();
  await new Promise((r) => setTimeout(r, 250));
  assert.equal(reads, 2, 'rebuilt after the change, before the next keystroke');
  assert.deepEqual(await keys(), ['adams2021']);
  assert.equal(reads, 2);
  // A catalogue of another size is noticed even without the event.
  papers = [...papers, library[1]!];
  await keys();
  assert.equal(reads, 3);
  provider.dispose();
});
