import { test } from 'node:test';
import assert from 'node:assert/strict';
import { candidatePhrases, phraseKey } from '../../../src/core/keywords/candidatePhrases';
import { isStopWord } from '../../../src/core/keywords/stopWords';
import { splitWords } from '../../../src/core/keywords/wordSpans';

function candidates(text: string): string[] {
  return candidatePhrases(text, splitWords(text)).candidates.map((c) => c.text);
}

test('candidates are 1–3 terms with no stop-word at either edge and no punctuation inside', () => {
  const text = 'We propose a graph neural network for the segmentation of point clouds, using GPT-4 and 3D scans in 2017.';
  const got = candidates(text);
  for (const c of got) {
    const words = c.split(/\s+/);
    assert.ok(words.length <= 3, c);
    assert.ok(!isStopWord(words[0]!) && !isStopWord(words[words.length - 1]!), `stop-word edge: ${c}`);
    assert.ok(!/[,.;:()]/.test(c), `punctuation inside: ${c}`);
  }
  for (const expected of ['graph neural network', 'neural network', 'segmentation', 'segmentation of point', 'point clouds', 'GPT-4', '3D scans'])
    assert.ok(got.includes(expected), `missing ${expected} in ${JSON.stringify(got)}`);
  for (const absent of ['We propose', 'a graph', 'network for', 'clouds, using', '2017', 'point clouds using']) assert.ok(!got.includes(absent), `unexpected ${absent}`);
});

test('candidate offsets slice the original text; hyphenated terms are one term', () => {
  const text = 'State-of-the-art  results on ImageNet-1k.';
  const { candidates: cs, terms } = candidatePhrases(text, splitWords(text));
  for (const c of cs) assert.equal(text.slice(c.start, c.end), c.text);
  assert.deepEqual(
    terms.filter((t) => t !== null).map((t) => t.text),
    ['State-of-the-art', 'results', 'on', 'ImageNet-1k'],
  );
  assert.ok(cs.some((c) => c.text === 'State-of-the-art  results'));
});

test('keys are lower-cased, stemmed and ignore hyphens', () => {
  assert.equal(phraseKey('Neural-Networks'), phraseKey('neural networks'));
  assert.equal(phraseKey('Convolutional Layers'), 'convolut layer');
});
