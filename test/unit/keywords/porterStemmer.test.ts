import { test } from 'node:test';
import assert from 'node:assert/strict';
import { porterStem } from '../../../src/core/keywords/porterStemmer';

// Pairs from Porter's paper and the reference voc.txt/output.txt.
const pairs: [string, string][] = [
  ['caresses', 'caress'], ['ponies', 'poni'], ['ties', 'ti'], ['cats', 'cat'], ['feed', 'feed'], ['agreed', 'agre'],
  ['plastered', 'plaster'], ['bled', 'bled'], ['motoring', 'motor'], ['sing', 'sing'], ['conflated', 'conflat'],
  ['troubled', 'troubl'], ['sized', 'size'], ['hopping', 'hop'], ['tanned', 'tan'], ['falling', 'fall'],
  ['hissing', 'hiss'], ['fizzed', 'fizz'], ['failing', 'fail'], ['filing', 'file'], ['happy', 'happi'], ['sky', 'sky'],
  ['relational', 'relat'], ['conditional', 'condit'], ['rational', 'ration'], ['digitizer', 'digit'],
  ['vietnamization', 'vietnam'], ['operator', 'oper'], ['feudalism', 'feudal'], ['decisiveness', 'decis'],
  ['hopefulness', 'hope'], ['callousness', 'callous'], ['sensibiliti', 'sensibl'], ['triplicate', 'triplic'],
  ['formative', 'form'], ['electrical', 'electr'], ['goodness', 'good'], ['revival', 'reviv'], ['allowance', 'allow'],
  ['inference', 'infer'], ['airliner', 'airlin'], ['adjustable', 'adjust'], ['defensible', 'defens'],
  ['replacement', 'replac'], ['adoption', 'adopt'], ['homologous', 'homolog'], ['effective', 'effect'],
  ['probate', 'probat'], ['rate', 'rate'], ['cease', 'ceas'], ['controll', 'control'], ['roll', 'roll'],
  ['generalizations', 'gener'], ['oscillators', 'oscil'], ['networks', 'network'], ['segmentation', 'segment'],
];

test('Porter stemmer reproduces the reference stems', () => {
  for (const [word, stem] of pairs) assert.equal(porterStem(word), stem, word);
});

test('short words and case', () => {
  assert.equal(porterStem('is'), 'is');
  assert.equal(porterStem('Networks'), 'network');
});
