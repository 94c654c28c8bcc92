/**
 * "Suggest Citations for This Paragraph": the paragraph at the cursor goes to the engine, the picker
 * shows title, authors · year and the shared keyphrases as text, and the chosen paper is inserted in
 * the document's syntax at the selection.
 */
import { fake, fakeLog, vscodeFake } from './fakeVscode';
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { paragraphWithoutCitations, suggestCitationsForParagraph, type SuggestCitationsDeps } from '../../../src/host/citations/suggestCitationsCommand';
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
let asked: string[] = [];

function editor(languageId: string, lines: string[], line: number, character = 0): unknown {
  const at = { line, character };
  return {
    document: {
      languageId,
      uri: { toString: () => 'file:///notes/draft' },
      lineCount: lines.length,
      lineAt: (i: number) => ({ text: lines[i] ?? '' }),
      validatePosition: (p: unknown) => p,
    },
    selection: { active: at, end: at },
  };
}

const edits = (): string[] => fake.inserted.map((e) => e.text);

function deps(fail = false): SuggestCitationsDeps {
  return {
    catalog: { get: (id) => (id === sam.id ? sam : undefined), size: 1 },
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
  assert.deepEqual(edits(), ['\\cite{kirillov2023segment}']);
});

test('the LaTeX command is the setting; a space separates the citation from the word before it', async () => {
  fake.config = { 'citations.latexCommand': '\\citep' };
  window.activeTextEditor = editor('latex', ['Promptable image segmentation at scale.'], 0, 'Promptable image segmentation'.length);
  await suggestCitationsForParagraph(deps());
  assert.deepEqual(fake.inserted, [{ uri: 'file:///notes/draft', line: 0, character: 29, text: ' \\citep{kirillov2023segment}' }]);
  fake.config = { 'citations.latexCommand': 'not a command!' };
  fake.inserted = [];
  window.activeTextEditor = editor('latex', ['Promptable image segmentation at scale.'], 0, 0);
  await suggestCitationsForParagraph(deps());
  assert.deepEqual(edits(), ['\\cite{kirillov2023segment}']);
  fake.config = {};
});

test('the code action passes its own position: the citation goes there, not to the cursor', async () => {
  window.activeTextEditor = editor('markdown', ['Promptable image segmentation.', '', 'Other.'], 2);
  await suggestCitationsForParagraph(deps(), { uri: 'file:///notes/draft', line: 0, character: 29 });
  assert.deepEqual(fake.inserted, [{ uri: 'file:///notes/draft', line: 0, character: 29, text: ' [@kirillov2023segment]' }]);
  assert.deepEqual(asked, ['Promptable image segmentation.']);
  // A target naming another document is ignored: the cursor decides.
  fake.inserted = [];
  await suggestCitationsForParagraph(deps(), { uri: 'file:///elsewhere', line: 0, character: 3 });
  assert.equal(fake.inserted[0]?.line, 2);
});

test('the code action is offered on a paragraph of prose without citations only', () => {
  const lines = [
    '# Heading',
    '',
    'Diffusion models generate images by reversing a noising process step by step.',
    '',
    'Diffusion models [@ho2020ddpm] generate images by reversing a noising process.',
    '',
    'Latent diffusion \\cite{rombach2022ldm} works in the latent space of an autoencoder.',
    '',
    'Too short here.',
  ];
  assert.equal(paragraphWithoutCitations(lines, 0), false);
  assert.equal(paragraphWithoutCitations(lines, 1), false);
  assert.equal(paragraphWithoutCitations(lines, 2), true);
  assert.equal(paragraphWithoutCitations(lines, 4), false);
  assert.equal(paragraphWithoutCitations(lines, 6), false);
  assert.equal(paragraphWithoutCitations(lines, 8), false);
});

test('Markdown gets [@key]; no editor, an empty paragraph or a failing engine insert nothing and say why', async () => {
  window.activeTextEditor = editor('markdown', ['Promptable image segmentation.'], 0);
  await suggestCitationsForParagraph(deps());
  assert.deepEqual(edits(), ['[@kirillov2023segment]']);
  fake.inserted = [];
  window.activeTextEditor = undefined;
  assert.equal(await suggestCitationsForParagraph(deps()), undefined);
  window.activeTextEditor = editor('markdown', ['', ''], 1);
  assert.equal(await suggestCitationsForParagraph(deps()), undefined);
  window.activeTextEditor = editor('markdown', ['Some text.'], 0);
  assert.equal(await suggestCitationsForParagraph(deps(true)), undefined);
  assert.deepEqual(edits(), []);
  assert.deepEqual(
    fake.messages.map((m) => m.kind),
    ['info', 'info', 'warning'],
  );
});
