import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseMarkdownNoteText } from '../../../src/core/ingest/markdownNoteParser';
import { fixturePath } from './ingestTestPaths';

function parseFixture(name: string): ReturnType<typeof parseMarkdownNoteText> {
  const file = fixturePath(name);
  return parseMarkdownNoteText(readFileSync(file, 'utf8'), file);
}

test('Zotero-style note: front matter fields and the Abstract section of the body', () => {
  const result = parseFixture('zotero-note.md');
  assert.deepEqual(result.diagnostics, []);
  assert.equal(result.papers.length, 1);
  const p = result.papers[0];
  assert.equal(p?.id, 'vaswani2017attention');
  assert.equal(p?.title, 'Attention Is All You Need');
  assert.deepEqual(p?.authors, ['Ashish Vaswani', 'Noam Shazeer']);
  assert.equal(p?.year, 2017);
  assert.equal(p?.doi, '10.48550/arxiv.1706.03762');
  assert.equal(p?.arxivId, '1706.03762');
  assert.deepEqual(p?.keywords, ['transformers', 'attention']);
  assert.equal(p?.abstract, 'The dominant sequence transduction models are based on complex recurrent or convolutional neural networks.');
  assert.equal(p?.sources[0]?.line, 1);
});

test('Obsidian-style note: citationKey, folded abstract, author string, date', () => {
  const p = parseFixture('obsidian-note.md').papers[0];
  assert.equal(p?.id, 'doe2021');
  assert.equal(p?.abstract, 'Folded abstract text over two lines.');
  assert.deepEqual(p?.authors, ['Jane Doe', 'Richard Roe']);
  assert.equal(p?.year, 2021);
  assert.deepEqual(p?.keywords, ['nlp', 'retrieval']);
});

test('an abstract in an Obsidian callout', () => {
  const note = '---\ncitekey: k\ntitle: T\n---\n> [!abstract]- Abstract\n> First line\n> second line.\n\nNotes.\n';
  assert.equal(parseMarkdownNoteText(note, 'n.md').papers[0]?.abstract, 'First line second line.');
});

test('a note that is neither a literature note nor a list yields nothing and no error', () => {
  assert.deepEqual(parseFixture('plain-note.md'), { papers: [], diagnostics: [] });
  assert.deepEqual(parseMarkdownNoteText('# Shopping\n\n- milk\n', 'n.md'), { papers: [], diagnostics: [] });
  // A title alone is any note's title, not a paper.
  assert.deepEqual(parseMarkdownNoteText('---\ntitle: Tuesday\nid: 202301011200\n---\nBody.\n', 'n.md'), { papers: [], diagnostics: [] });
  assert.equal(parseMarkdownNoteText('---\ntitle: A Paper Note\nyear: 2020\n---\n', 'n.md').papers.length, 1);
});

test('a Markdown pasted list without front matter goes to the pasted-list parser', () => {
  assert.equal(parseFixture('second-list.md').papers.length, 2);
});

test('invalid YAML front matter is an error diagnostic, not a throw', () => {
  const result = parseFixture('bad-yaml-note.md');
  assert.equal(result.papers.length, 0);
  assert.equal(result.diagnostics[0]?.severity, 'error');
});
