import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseMarkdownNoteText } from '../../../src/core/ingest/markdownNoteParser';
import { fixturePath, repoRoot, SHARED_ABSENT, sharedDataPath } from './ingestTestPaths';

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
  // A title alone, or with a year or URL, is any note's title, not a paper.
  assert.deepEqual(parseMarkdownNoteText('---\ntitle: Tuesday\nid: 202301011200\n---\nBody.\n', 'n.md'), { papers: [], diagnostics: [] });
  assert.deepEqual(parseMarkdownNoteText('---\ntitle: Weekly Review\nyear: 2020\nurl: https://example.org\n---\n', 'n.md'), { papers: [], diagnostics: [] });
});

test('front matter makes a paper with a title and a citation key, DOI, arXiv id, abstract or authors', () => {
  for (const field of ['citekey: k2020', 'doi: 10.1000/x', 'arxiv: 2101.00001', 'abstract: What the paper does.', 'authors: [Ann Lee]', 'author: Lee, Ann']) {
    const papers = parseMarkdownNoteText(`---\ntitle: A Paper Note\n${field}\n---\n`, 'n.md').papers;
    assert.deepEqual(
      papers.map((p) => p.title),
      ['A Paper Note'],
      field,
    );
  }
  // A citation key without a title is no paper, but is worth a word.
  const untitled = parseMarkdownNoteText('---\ncitekey: k2020\n---\nBody.\n', 'n.md');
  assert.equal(untitled.papers.length, 0);
  assert.match(untitled.diagnostics[0]?.message ?? '', /citation key but no title/);
});

test('plain notes are never papers: headings over paragraphs, bullets, a README', () => {
  // Every "## Heading" over a paragraph was indexed as a paper ("Data augmentation", "Open questions").
  const paragraph = (topic: string): string => `The ${topic} results were mixed across the three runs, and the variance between seeds was larger than the differences we were trying to measure, so the next step is to rerun with more seeds before drawing any conclusion.`;
  const note = [
    '# Low-resource translation',
    '',
    '## Data augmentation',
    '',
    paragraph('back-translation'),
    '',
    '## Mitigation',
    '',
    paragraph('mitigation'),
    '',
    '- bullet one [@vaswani2017attention]',
    '- bullet two',
    '',
    '### Open questions',
    '',
    paragraph('tokenizer'),
    '',
    '## Next steps',
    '',
    paragraph('scheduling'),
    '',
  ].join('\n');
  assert.deepEqual(parseMarkdownNoteText(note, 'notes/mt.md'), { papers: [], diagnostics: [] });
  const readme = `# Paper Atlas\n\n${paragraph('install')}\n\n## Usage\n\n${paragraph('usage')}\n\n## Settings\n\n${paragraph('settings')}\n\n## License\n\n${paragraph('license')}\n`;
  assert.deepEqual(parseMarkdownNoteText(readme, 'README.md'), { papers: [], diagnostics: [] });
  // With front matter that does not make a paper (tags only), the body is still a note.
  assert.deepEqual(parseMarkdownNoteText(`---\ntags: [daily]\n---\n${note}`, 'notes/daily.md'), { papers: [], diagnostics: [] });
  for (const name of ['retrieval.md', 'language-models.md', 'vision-and-rl.md']) {
    const file = path.join(repoRoot, 'test', 'fixtures', 'workspace', 'notes', name);
    assert.deepEqual(parseMarkdownNoteText(readFileSync(file, 'utf8'), file).papers, [], name);
  }
});

test('a pasted paper list in Markdown is read when it has the shape of one: at least 3 title and abstract pairs', () => {
  const result = parseFixture('second-list.md');
  assert.deepEqual(
    result.papers.map((p) => [p.title, p.sources[0]?.line]),
    [
      ['Sparse Mixtures of Experts at Scale', 5],
      ['Retrieval Heads Explain Factuality', 11],
      ['Byte Patches Instead of Tokens', 15],
    ],
  );
  // Two pairs are a note with two long paragraphs, not a list.
  const two = readFileSync(fixturePath('second-list.md'), 'utf8').split('- Byte Patches')[0] ?? '';
  assert.deepEqual(parseMarkdownNoteText(two, 'two.md'), { papers: [], diagnostics: [] });
});

test('shared daily-papers.txt pasted into a .md file reads as its 29 papers', (t) => {
  const file = sharedDataPath('daily-papers.txt');
  if (file === undefined) return t.skip(SHARED_ABSENT);
  assert.equal(parseMarkdownNoteText(readFileSync(file, 'utf8'), 'daily-papers.md').papers.length, 29);
});

test('invalid YAML front matter is an error diagnostic, not a throw', () => {
  const result = parseFixture('bad-yaml-note.md');
  assert.equal(result.papers.length, 0);
  assert.equal(result.diagnostics[0]?.severity, 'error');
});
