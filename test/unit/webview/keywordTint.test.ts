import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countWords, MAX_TINTED_SHARE, MIN_TINT, tintLevels } from '../../../src/shared/keywordTint';

test('at most 15% of the words are tinted, the highest scores first', () => {
  const words = Array.from({ length: 100 }, (_, i) => `w${i}`);
  const text = words.join(' ');
  let at = 0;
  // Every word has a span (as a badly-behaved engine might send): the cap still holds.
  const spans = words.map((w, i) => {
    const s = { start: at, end: at + w.length, score: i };
    at += w.length + 1;
    return s;
  });
  const tinted = tintLevels(spans, countWords(text), text.length);
  assert.equal(tinted.length, Math.floor(MAX_TINTED_SHARE * 100));
  const kept = new Set(tinted.map((t) => text.slice(t.start, t.end)));
  for (let i = 85; i < 100; i++) assert.ok(kept.has(`w${i}`), `w${i} should be tinted`);
  assert.ok(!kept.has('w84'));
});

test('levels are in proportion to score, from MIN_TINT to 1, in text order', () => {
  const text = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon';
  const spans = [
    { start: 0, end: 5, score: 1 },
    { start: 6, end: 10, score: 3 },
    { start: 11, end: 16, score: 2 },
  ];
  const t = tintLevels(spans, countWords(text), text.length);
  assert.deepEqual(
    t.map((x) => x.start),
    [0, 6, 11],
  );
  assert.equal(t[0]!.level, MIN_TINT);
  assert.equal(t[1]!.level, 1);
  assert.ok(Math.abs(t[2]!.level - (MIN_TINT + (1 - MIN_TINT) / 2)) < 1e-9);
});

test('spans before `from`, past the text, overlapping or not finite are not tinted', () => {
  const text = 'Title. one two three four five six seven eight nine ten eleven twelve thirteen fourteen';
  const spans = [
    { start: 0, end: 5, score: 100 },
    { start: 7, end: 10, score: 5 },
    { start: 8, end: 12, score: 4 },
    { start: 11, end: 14, score: Number.NaN },
    { start: 80, end: 200, score: 50 },
  ];
  const t = tintLevels(spans, countWords(text, 7), text.length, 7);
  assert.deepEqual(
    t.map((x) => [x.start, x.end]),
    [[7, 10]],
  );
});

test('a short text still shows its best word; no spans, no tint', () => {
  assert.equal(tintLevels([{ start: 0, end: 4, score: 1 }], 3, 10).length, 1);
  assert.deepEqual(tintLevels([], 100, 500), []);
  assert.equal(countWords('  a, b —  c 12 '), 4);
});
