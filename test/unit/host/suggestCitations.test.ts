/**
 * "Suggest Citations for This Paragraph": the paragraph at the cursor goes to the engine, the picker
 * shows title, authors · year and the shared keyphrases as text, and the chosen paper is inserted in
 * the document's syntax at the selection.
 */
import { fake, fakeLog, vscodeFake } from './fakeVscode';
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { suggestCitationsForParagraph, type SuggestCitationsDeps } from '../../../src/host/citations/suggestCitationsCommand';
import type { CatalogPaper } from '../../../src/host/library/paperCatalog';
import type { Paper } from '../../../src/shared/paper';

const sam: CatalogPaper & { abstract: string } = {
  id: 'kirillov2023segment',
  title: 'Segment Anything $(zap)',
  authors: ['Kirillov, Alexander'],
  year: 2023,
  keywords: [],
  abstractStart: '',
  abstract: 'A promptable model for image segmentation.',
  sources: [{ file: '/lib/papers.bib', line: 2 }],
};

interface PickItem {
  id: string;
  label: string;
  description: string;
  detail?: string;
}

const window = vscodeFake.window as unknown as Record<string, unknown>;
let picked: PickItem[] = [];
let edits: string[] = [];
let asked: string[] = [];

function editor(languageId: string, lines: string[], line: number): unknown {
  return {
    document: { languageId, lineCount: lines.length, lineAt: (i: number) => ({ text: lines[i] ?? '' }) },
    selection: { active: { line, character: 0 } },
    selections: [{}],
    edit: (cb: (b: { replace: (_sel: unknown, text: string) => void }) => void) => {
      cb({ replace: (_sel, text) => edits.push(text) });
      return Promise.resolve(true);
    },
  };
}

function deps(fail = false): SuggestCitationsDeps {
  return {
    catalog: { get: (id) => (id === sam.id ? sam : undefined) },
    engine: () =>
      fail
        ? Promise.reject(new Error('engine down'))
        : Promise.resolve({
            relatedToText: ({ text }) => {
              asked.push(text);
              return Promise.resolve([{ id: sam.id, title: sam.title, score: 1, authors: [], source: '' }]);
            },
            papers: () => Promise.resolve([sam as unknown as Paper]),
          }),
    log: fakeLog(),
  };
}

beforeEach(() => {
  fake.reset();
  picked = [];
  edits = [];
  asked = [];
  window.showQuickPick = (items: PickItem[]) => {
    picked = items;
    return Promise.resolve(items[0]);
  };
});

test('the paragraph at the cursor is asked for, the picker shows the reason, the choice is inserted as \\cite{key} in LaTeX', async () => {
  window.activeTextEditor = editor('latex', ['Intro.', '', 'Promptable image segmentation', 'at scale.'], 3);
  assert.equal(await suggestCitationsForParagraph(deps()), 'kirillov2023segment');
  assert.deepEqual(asked, ['Promptable image segmentation at scale.']);
  assert.equal(picked.length, 1);
  assert.equal(picked[0]?.description, 'Kirillov · 2023');
  assert.match(picked[0]?.detail ?? '', /^shared: .*image segmentation/);
  // A title spelling a theme icon stays text in the picker.
  assert.doesNotMatch(picked[0]?.label ?? '', /(?<!\\)\$\(zap\)/);
  assert.deepEqual(edits, ['\\cite{kirillov2023segment}']);
});

test('Markdown gets [@key]; no editor, an empty paragraph or a failing engine insert nothing and say why', async () => {
  window.activeTextEditor = editor('markdown', ['Promptable image segmentation.'], 0);
  await suggestCitationsForParagraph(deps());
  assert.deepEqual(edits, ['[@kirillov2023segment]']);
  edits = [];
  window.activeTextEditor = undefined;
  assert.equal(await suggestCitationsForParagraph(deps()), undefined);
  window.activeTextEditor = editor('markdown', ['', ''], 1);
  assert.equal(await suggestCitationsForParagraph(deps()), undefined);
  window.activeTextEditor = editor('markdown', ['Some text.'], 0);
  assert.equal(await suggestCitationsForParagraph(deps(true)), undefined);
  assert.deepEqual(edits, []);
  assert.deepEqual(
    fake.messages.map((m) => m.kind),
    ['info', 'info', 'warning'],
  );
});
