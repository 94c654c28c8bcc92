import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { containsKey, heatSpans, keyphraseScore, mlmCandidates, phraseFeatures, selectKeyphrases, type KeyphraseWeights, type PhraseFeatures } from '../../../src/core/keywords/keyphraseScoring';
import { nounPhraseCandidates } from '../../../src/core/keywords/nounPhrases';
import type { PartOfSpeechTagger } from '../../../src/core/keywords/nounPhrases';
import { splitWords } from '../../../src/core/keywords/wordSpans';
import { openWinkTagger } from '../../../src/engine/keywords/partOfSpeechTagger';

let winkPartOfSpeech: PartOfSpeechTagger;
before(async () => {
  winkPartOfSpeech = await openWinkTagger();
});

function feature(key: string, ranges: [number, number][]): PhraseFeatures {
  return { key, text: key, start: ranges[0]![0], end: ranges[0]![1], terms: key.split(' ').length, occurrences: ranges.length, ranges, surprise: 0, prior: 0, idf: 0, tf: 0, position: 0, length: 0, similarity: 0, unshared: 0, listed: 0 };
}

test('containment is on whole stemmed words', () => {
  assert.ok(containsKey('slot connect model', 'slot connect'));
  assert.ok(containsKey('slot connect model', 'connect'));
  assert.ok(!containsKey('slot connect', 'slot connect'));
  assert.ok(!containsKey('slotted connect', 'slot'));
});

test('"drop": a sub-phrase or super-phrase of a better one never also appears', () => {
  const f = [feature('explicit slot connect model', [[0, 30]]), feature('slot connect', [[9, 24]]), feature('slot', [[9, 13]]), feature('connect', [[14, 24]]), feature('dialogu state track', [[40, 63]])];
  const got = selectKeyphrases(f, [5, 4, 3, 2, 1], 10, 'drop').map((c) => c.feature.key);
  assert.deepEqual(got, ['explicit slot connect model', 'dialogu state track']);
});

test('"independent": a sub-phrase stays only if it also occurs outside the longer phrase', () => {
  // "slot" also occurs on its own at 50..54; "connect" only ever inside the longer phrase.
  const f = [feature('slot connect', [[0, 15]]), feature('slot', [[0, 4], [50, 54]]), feature('connect', [[5, 15]])];
  const got = selectKeyphrases(f, [3, 2, 1], 10, 'independent').map((c) => c.feature.key);
  assert.deepEqual(got, ['slot connect', 'slot']);
  assert.deepEqual(selectKeyphrases(f, [3, 2, 1], 10, 'keep').length, 3);
});

test('stemmed duplicates are one phrase, with the first occurrence as its span', () => {
  const text = 'Neural networks are trained. A neural network is a model.';
  const { candidates, terms } = nounPhraseCandidates(text, splitWords(text), winkPartOfSpeech(text));
  const f = phraseFeatures(text, candidates, terms, new Float64Array(candidates.length).fill(1));
  const nn = f.filter((x) => x.key === 'neural network');
  assert.equal(nn.length, 1);
  assert.equal(nn[0]!.occurrences, 2);
  assert.equal(text.slice(nn[0]!.start, nn[0]!.end), 'Neural networks');
});

test('the score is the weighted sum, surprise measured against the word-frequency prior', () => {
  const w: KeyphraseWeights = { surprise: 1, spanWeight: 1, prior: 0.5, idf: 2, tf: 3, position: 4, length: 5, similarity: 6, containment: 'keep', redundancy: 0, unshared: -1, listed: 7 };
  const f = { ...feature('a b', [[0, 3]]), surprise: 10, prior: 4, idf: 1, tf: 1, position: 0.5, length: 1, similarity: 0.5, unshared: 1, listed: 1 };
  assert.equal(keyphraseScore(f, w), 10 - 2 + 2 + 3 + 2 + 5 + 3 - 1 + 7);
});

test('heat spans: only content words; words of a chosen phrase carry its score', () => {
  const text = 'Besides, hierarchical attention eventually hurts slot imbalance.';
  const { candidates, terms, classes } = nounPhraseCandidates(text, splitWords(text), winkPartOfSpeech(text));
  const f = phraseFeatures(text, candidates, terms, new Float64Array(candidates.length).fill(1));
  const scores = f.map((x) => (x.key === 'hierarch attent' ? 9 : 1));
  const chosen = selectKeyphrases(f, scores, 1, 'drop');
  const spans = heatSpans(terms, classes, f, scores, chosen);
  const words = spans.map((s) => s.text);
  for (const never of ['Besides', 'eventually', 'hurts']) assert.ok(!words.includes(never), `${never} has a span`);
  assert.equal(spans.find((s) => s.text === 'hierarchical')?.score, 9);
  assert.equal(spans.find((s) => s.text === 'attention')?.score, 9);
  assert.equal(spans.find((s) => s.text === 'slot')?.score, 1);
});

test('redundancy: a phrase whose words were all shown already loses to a fresh one', () => {
  const f = [feature('slot connect', [[0, 15]]), feature('explicit slot connect', [[20, 45]]), feature('dialogu state', [[50, 63]])];
  // Without the penalty the overlapping phrase comes second; with it the fresh phrase does.
  assert.deepEqual(
    selectKeyphrases(f, [5, 4, 3.5], 2, 'keep', 0).map((c) => c.feature.key),
    ['slot connect', 'explicit slot connect'],
  );
  assert.deepEqual(
    selectKeyphrases(f, [5, 4, 3.5], 2, 'keep', 2).map((c) => c.feature.key),
    ['slot connect', 'dialogu state'],
  );
});

test('the MLM pool: every occurrence of the best phrases by statistics, and the words inside them', () => {
  const text = 'Slot imbalance hurts dialogue state tracking. Slot imbalance is common; tracking matters.';
  const { candidates, terms } = nounPhraseCandidates(text, splitWords(text), winkPartOfSpeech(text));
  const features = phraseFeatures(text, candidates, terms, new Float64Array(candidates.length).fill(Number.NaN));
  const w: KeyphraseWeights = { surprise: 1, spanWeight: 1, prior: 0, idf: 0, tf: 2, position: 0, length: 0.5, similarity: 0, containment: 'keep', redundancy: 0, unshared: 0, listed: 0 };
  // Twice and two words: "slot imbalance" ranks first; a pool of one keeps only that phrase.
  const masked = [...mlmCandidates(candidates, features, w, 3, 1)].map((i) => candidates[i]!);
  const texts = masked.map((c) => c.text);
  assert.equal(texts.filter((t) => t === 'Slot imbalance').length, 2, JSON.stringify(texts));
  assert.ok(texts.includes('imbalance'), JSON.stringify(texts));
  assert.ok(!texts.some((t) => t.includes('tracking')), JSON.stringify(texts));
  // Longer than the masked limit: never masked.
  assert.ok([...mlmCandidates(candidates, features, w, 1, 50)].every((i) => candidates[i]!.firstTerm === candidates[i]!.lastTerm));
});

test('redundancy is in units of the scores\' spread: scaling every score keeps the choice', () => {
  const f = [feature('slot connect', [[0, 15]]), feature('explicit slot connect', [[20, 45]]), feature('dialogu state', [[50, 63]])];
  for (const scale of [0.1, 1, 100]) {
    assert.deepEqual(
      selectKeyphrases(f, [5 * scale, 4 * scale, 3.5 * scale], 2, 'keep', 2).map((c) => c.feature.key),
      ['slot connect', 'dialogu state'],
    );
  }
});


test('with the redundancy penalty, the chosen scores still read best first', () => {
  // "slot" (4.9) is pushed below "dialogu state" (4) by the penalty, then picked third: its raw
  // score would read out of order.
  const f = [feature('slot connect', [[0, 15]]), feature('slot', [[20, 24]]), feature('dialogu state', [[50, 63]])];
  const chosen = selectKeyphrases(f, [5, 4.9, 4], 3, 'keep', 4);
  assert.deepEqual(
    chosen.map((c) => c.feature.key),
    ['slot connect', 'dialogu state', 'slot'],
  );
  for (let i = 1; i < chosen.length; i++) assert.ok(chosen[i - 1]!.score >= chosen[i]!.score, JSON.stringify(chosen.map((c) => [c.feature.key, c.score])));
});
