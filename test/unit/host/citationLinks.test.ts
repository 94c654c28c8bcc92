/**
 * Document links: a DOI or arXiv id (any of the shapes the hover reads) of an indexed paper links to
 * "Open in Atlas" for that paper; an id of a paper that is not indexed, a key or a version number
 * gets no link, and the command argument is the encoded paper id.
 */
import { fake, fakeLog } from './fakeVscode';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type * as vscode from 'vscode';
import { referenceKeys } from '../../../src/core/paperIdentity';
import { CitationLinkProvider, paperLinks } from '../../../src/host/citations/citationLinks';
import type { CatalogPaper } from '../../../src/host/library/paperCatalog';

const paper = (id: string, doi?: string, arxivId?: string): CatalogPaper => ({ id, title: `Title of ${id}`, authors: [], keywords: [], abstractStart: '', sources: [], ...(doi ? { doi } : {}), ...(arxivId ? { arxivId } : {}) });
const library = [paper('karpukhin2020dpr', '10.18653/v1/2020.emnlp-main.550', '2004.04906'), paper('lewis2020rag', undefined, '2005.11401'), paper('odd)key', '10.1000/odd')];
const byRef = new Map(library.flatMap((p) => [...referenceKeys(p.doi ?? ''), ...referenceKeys(p.arxivId ?? '')].map((k) => [k, p] as const)));
const lookup = (t: string): CatalogPaper | undefined => referenceKeys(t).map((k) => byRef.get(k)).find(Boolean);

test('DOIs and arXiv ids of indexed papers are links, others are not', () => {
  const lines = [
    'See arXiv:2005.11401v2 and doi 10.18653/v1/2020.emnlp-main.550.',
    'Not indexed: 10.1234/unknown.5 and 1999.00001; a key [@lewis2020rag] is not a link.',
    'https://arxiv.org/abs/2004.04906 and the arXiv DOI 10.48550/arXiv.2004.04906',
    'Version 1.2345.6789 is no id.',
  ];
  const links = paperLinks(lines, lookup);
  assert.deepEqual(
    links.map((l) => [l.line, lines[l.line]?.slice(l.start, l.end), l.id]),
    [
      [0, '2005.11401v2', 'lewis2020rag'],
      [0, '10.18653/v1/2020.emnlp-main.550', 'karpukhin2020dpr'],
      [2, '2004.04906', 'karpukhin2020dpr'],
      [2, '10.48550/arXiv.2004.04906', 'karpukhin2020dpr'],
    ],
  );
});

test('the provider links to Open in Atlas with the id encoded; a cancelled request or an empty library gives nothing', () => {
  fake.reset();
  const doc = { lineCount: 1, lineAt: () => ({ text: 'doi:10.1000/odd' }) } as unknown as vscode.TextDocument;
  const token = { isCancellationRequested: false } as vscode.CancellationToken;
  const provider = new CitationLinkProvider({ catalog: { byDoiOrArxiv: lookup, size: library.length }, log: fakeLog() });
  const links = provider.provideDocumentLinks(doc, token) ?? [];
  assert.equal(links.length, 1);
  const target = String((links[0] as unknown as { target: unknown }).target);
  assert.match(target, /^command:paperAtlas\.openInAtlas\?/);
  assert.equal(JSON.parse(decodeURIComponent(target.split('?')[1] ?? '')).join(), 'odd)key');
  assert.doesNotMatch(target.split('?')[1] ?? '', /[()]/, 'the id is encoded for a link');
  const empty = new CitationLinkProvider({ catalog: { byDoiOrArxiv: lookup, size: 0 }, log: fakeLog() });
  assert.equal(empty.provideDocumentLinks(doc, token), undefined);
  const many = { lineCount: 1000, lineAt: () => ({ text: 'doi:10.1000/odd' }) } as unknown as vscode.TextDocument;
  assert.deepEqual(provider.provideDocumentLinks(many, { isCancellationRequested: true } as vscode.CancellationToken), []);
});
