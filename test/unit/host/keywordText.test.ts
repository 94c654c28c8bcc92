import assert from 'node:assert/strict';
import { test } from 'node:test';
import './fakeVscode';
import { keywordListMarkdown, keywordSummary, maskCitations, paragraphAround } from '../../../src/host/keywords/keywordText';
import { markdownText } from '../../../src/core/displayText';

const note = [
  '# Retrieval notes', // 0
  'Dense retrievers [@karpukhin2020dpr] beat BM25', // 1
  'on open-domain QA.', // 2
  '', // 3
  'Late interaction (\\citep[p. 3]{khattab2020colbert, santhanam2022}) keeps token vectors.', // 4
  '', // 5
  '', // 6
  'See [[@lewis2020rag|RAG]] and @izacard2021fid, doi 10.18653/v1/2020.emnlp-main.550, arXiv:2005.11401.', // 7
];

test('the paragraph under the cursor, never the two around a blank line', () => {
  assert.deepEqual(paragraphAround(note, 2), { start: 1, end: 2 }, 'a heading ends the paragraph above');
  assert.deepEqual(paragraphAround(note, 4), { start: 4, end: 4 });
  assert.equal(paragraphAround(note, 3), undefined, 'a blank line between two paragraphs');
  assert.equal(paragraphAround(note, 5), undefined);
  assert.deepEqual(paragraphAround(note, 0), { start: 0, end: 0 }, 'a heading is its own paragraph');
  assert.equal(paragraphAround(['---', 'title: x', '---', 'text'], 0), undefined);
  assert.deepEqual(paragraphAround(['---', 'title: x', '---', 'text'], 3), { start: 3, end: 3 });
});

test('citation syntax is blanked, offsets unchanged, prose kept', () => {
  const text = note.join('\n');
  const masked = maskCitations(text);
  assert.equal(masked.length, text.length);
  for (const gone of ['karpukhin2020dpr', 'khattab2020colbert', 'santhanam2022', 'citep', 'lewis2020rag', 'izacard2021fid', '10.18653', '2005.11401', '@', '[[', '\\']) {
    assert.ok(!masked.includes(gone), `${gone} is still in:\n${masked}`);
  }
  for (const kept of ['Dense retrievers', 'beat BM25', 'Late interaction', 'keeps token vectors.', 'See ', ' and ', 'doi', 'Retrieval notes']) assert.ok(masked.includes(kept), `${kept} was lost`);
  assert.equal(maskCitations('e-mail me at someone@example.org about transformers'), 'e-mail me at someone@example.org about transformers');
});

test('the keyword list is readable: ranked, scored, escaped, the hovered one in bold', () => {
  const top = [
    { text: 'dense retrievers', score: 0.91 },
    { text: 'late_interaction*', score: 0.5 },
  ];
  const md = keywordListMarkdown(top, markdownText, 'dense retrievers');
  assert.match(md, /1\. \*\*dense retrievers\*\* — 0\.91/);
  assert.match(md, /2\. late\\_interaction\\\* — 0\.50/);
  assert.equal(keywordSummary(top), 'keywords: dense retrievers · late_interaction*');
  assert.equal(keywordSummary([]), 'no keywords');
  assert.match(keywordSummary(Array.from({ length: 9 }, (_, i) => ({ text: `k${i}` }))), /k5 …$/);
});
