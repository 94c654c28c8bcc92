import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parsePastedListText } from '../../../src/core/ingest/pastedListParser';
import { fixturePath, SHARED_ABSENT, sharedDataPath } from './ingestTestPaths';

test('shared daily-papers.txt: exactly its 29 papers, no page furniture', (t) => {
  const file = sharedDataPath('daily-papers.txt');
  if (file === undefined) return t.skip(SHARED_ABSENT);
  const text = readFileSync(file, 'utf8');
  const result = parsePastedListText(text, file);
  assert.equal(result.papers.length, 29);
  assert.deepEqual(result.diagnostics, []);
  const lines = text.split('\n');
  const first = result.papers[0];
  const last = result.papers[28];
  assert.equal(first?.title, 'ERNIE-Gram: Pre-Training with Explicitly N-Gram Masked Language Modeling for Natural Language Understanding');
  assert.equal(first?.sources[0]?.line, 13);
  // The whole first abstract, as the line in the file has it.
  assert.equal(first?.abstract, lines[14]);
  assert.match(first?.abstract ?? '', /^Coarse-grained linguistic information, such as named entities or phrases/);
  assert.equal(last?.title, 'From Word Vectors to Multimodal Embeddings: Techniques, Applications, and Future Directions For Large Language Models');
  assert.match(last?.abstract ?? '', /embedding-based language models\.$/);
  for (const furniture of ['new', 'Get trending papers in your email inbox!', 'Subscribe', 'Daily Papers', 'byAK and the research community', 'Jul 31']) {
    assert.ok(!result.papers.some((p) => p.title === furniture), furniture);
  }
  // Every paper: title line, then its abstract on the line after the blank line.
  for (const p of result.papers) {
    const line = p.sources[0]?.line ?? 0;
    assert.equal(lines[line - 1], p.title);
    assert.equal(lines[line + 1], p.abstract);
  }
});

test('second list in Markdown: headings, bold and links around titles, furniture skipped', () => {
  const file = fixturePath('second-list.md');
  const text = readFileSync(file, 'utf8');
  const result = parsePastedListText(text, file);
  assert.deepEqual(
    result.papers.map((p) => [p.title, p.sources[0]?.line]),
    [
      ['Sparse Mixtures of Experts at Scale', 5],
      ['Retrieval Heads Explain Factuality', 11],
      ['Byte Patches Instead of Tokens', 15],
    ],
  );
  assert.equal(result.papers[1]?.url, 'https://example.org/retrieval-heads');
  assert.match(result.papers[0]?.abstract ?? '', /^Mixture-of-experts layers route each token/);
});

test('a paragraph is not a title, and a list of short lines is not a paper list', () => {
  assert.equal(parsePastedListText('Just one line\n\nAnd another line\n', 'x.txt').papers.length, 0);
  assert.equal(parsePastedListText('Title\nwith two lines\n\n' + 'word '.repeat(60), 'x.txt').papers.length, 0);
  const sentence = 'This line ends with a full stop.\n\n' + 'word '.repeat(60);
  assert.equal(parsePastedListText(sentence, 'x.txt').papers.length, 0);
});

test('a Markdown heading over a paragraph is a title in a .txt paste, and not when headings are turned off', () => {
  const text = `## Sparse Mixtures of Experts at Scale\n\n${'Mixture-of-experts layers route each token to a few experts. '.repeat(4)}\n`;
  assert.equal(parsePastedListText(text, 'x.txt').papers[0]?.title, 'Sparse Mixtures of Experts at Scale');
  assert.equal(parsePastedListText(text, 'x.md', 0, { headingTitles: false }).papers.length, 0);
});
