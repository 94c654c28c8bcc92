import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bibEntryKeyAt, citationAt, scanCitations } from '../../../src/host/hover/citationScanner';

const keys = (line: string): string[] => scanCitations(line).map((t) => `${t.kind}:${t.text}`);

test('finds Pandoc, Obsidian and LaTeX citation keys', () => {
  assert.deepEqual(keys('As shown in [@vaswani2017; @devlin2019, p. 3]'), ['key:vaswani2017', 'key:devlin2019']);
  assert.deepEqual(keys('see [[@lewis2020rag]] and [[@he2016|ResNet]]'), ['key:lewis2020rag', 'key:he2016']);
  assert.deepEqual(keys('\\citep[see][p.~4]{radford2021clip, ho2020ddpm} and \\cite{x}'), ['key:radford2021clip', 'key:ho2020ddpm', 'key:x']);
  assert.deepEqual(keys('@smith2020 says.'), ['key:smith2020']);
});

test('ignores e-mail addresses and finds DOIs and arXiv ids', () => {
  assert.deepEqual(keys('mail me at someone@example.org'), []);
  assert.deepEqual(keys('doi: 10.1145/3442188.3445922.'), ['doi:10.1145/3442188.3445922']);
  assert.deepEqual(keys('arXiv:1706.03762v5 is famous'), ['arxiv:1706.03762v5']);
});

test('citationAt returns the token under the cursor, including its @', () => {
  const line = 'Both [@a2020] and \\cite{b2021}';
  assert.equal(citationAt(line, line.indexOf('@a2020'))?.text, 'a2020');
  assert.equal(citationAt(line, line.indexOf('2021'))?.text, 'b2021');
  assert.equal(citationAt(line, 0), undefined);
});

test('bibEntryKeyAt finds the entry that contains a line', () => {
  const lines = ['@string{x = "y"}', '', '@article{first2020,', '  title = {A},', '}', '@inproceedings{ second-2021 ,', '  year = 2021 }'];
  assert.equal(bibEntryKeyAt(lines, 3), 'first2020');
  assert.equal(bibEntryKeyAt(lines, 6), 'second-2021');
  assert.equal(bibEntryKeyAt(lines, 0), undefined);
});
