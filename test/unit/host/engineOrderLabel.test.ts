import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { engineOrderLabel, queryLongEnough, WORD_JOINER } from '../../../src/host/search/engineOrderLabel';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const graphemes = (s: string): string[] => [...segmenter.segment(s)].map((g) => g.segment);

// What VS Code's QuickPick does with a label when the input has text (quickInputTree.ts): a
// case-insensitive contiguous match, or a prefix match, decides whether the item is moved up.
const vscodeLabelMatches = (query: string, label: string): boolean => label.toLowerCase().includes(query.toLowerCase()) || label.toLowerCase().startsWith(query.toLowerCase());

test('a label never contains a query of two or more characters taken from the title', () => {
  const title = fc.oneof(fc.string({ unit: 'grapheme', minLength: 2, maxLength: 60 }), fc.constantFrom('Low-Resource Machine Translation with Back-Translation', 'Étude des modèles de langue', 'Die Übersetzung 日本語の翻訳 🧑‍🔬 $(alert) done'));
  fc.assert(
    fc.property(title, fc.nat(), fc.nat(), (t, a, b) => {
      const g = graphemes(t);
      const start = a % g.length;
      const end = Math.min(g.length, start + 2 + (b % 10));
      const query = g.slice(start, end).join('');
      if (!queryLongEnough(query)) return;
      assert.ok(vscodeLabelMatches(query, t) || query.trim() !== query, 'the query does occur in the title');
      assert.ok(!vscodeLabelMatches(query.trim(), engineOrderLabel(t)), `"${query}" matches the label of "${t}"`);
    }),
  );
});

test('the label shows the title unchanged: same characters, same grapheme clusters', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (t) => {
      const label = engineOrderLabel(t);
      assert.equal(label.replaceAll(WORD_JOINER, ''), t.replaceAll(WORD_JOINER, ''));
      assert.deepEqual(graphemes(label).filter((s) => s !== WORD_JOINER), graphemes(t).filter((s) => s !== WORD_JOINER));
    }),
  );
  // Combining marks stay on their letter; an emoji sequence stays one picture.
  assert.equal(engineOrderLabel('e\u0301t\u00e9'), `e\u0301${WORD_JOINER}t${WORD_JOINER}\u00e9`);
  assert.equal(engineOrderLabel('a🧑‍🔬'), `a${WORD_JOINER}🧑‍🔬`);
});

test('icon syntax in a title is shown as text', () => {
  assert.ok(!engineOrderLabel('Beyond $(alert) icons').includes('$('));
});

test('VS Code keeps the engine order of labels that do not match (a stable sort of non-matching items)', () => {
  const titles = ['Back-translation for low-resource machine translation', 'Zero-shot transfer', 'Low-resource machine translation: a survey', 'Unsupervised NMT'];
  const query = 'low-resource machine translation';
  const order = (labels: string[]): number[] =>
    labels
      .map((l, i) => ({ i, hit: vscodeLabelMatches(query, l) }))
      .sort((x, y) => Number(y.hit) - Number(x.hit))
      .map((x) => x.i);
  assert.deepEqual(order(titles), [0, 2, 1, 3], 'plain titles are re-sorted');
  assert.deepEqual(order(titles.map(engineOrderLabel)), [0, 1, 2, 3], 'engine-order labels are not');
});

test('search starts at two characters', () => {
  assert.equal(queryLongEnough(' a '), false);
  assert.equal(queryLongEnough('é'), false);
  assert.equal(queryLongEnough('ab'), true);
});
