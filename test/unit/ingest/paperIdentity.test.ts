import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { contentHash, extractArxivId, fallbackId, normaliseDoi, normaliseTitle } from '../../../src/core/paperIdentity';

test('contentHash is the first 16 hex chars of sha256(title \\n abstract)', () => {
  const expected = createHash('sha256').update('A title\nAn abstract').digest('hex').slice(0, 16);
  assert.equal(contentHash('A title', 'An abstract'), expected);
  assert.match(contentHash('', ''), /^[0-9a-f]{16}$/);
  assert.notEqual(contentHash('A title', 'An abstract'), contentHash('A title', 'An abstract.'));
});

test('normaliseTitle folds case, accents, punctuation and spacing', () => {
  assert.equal(normaliseTitle('  Über  {BERT}: a Study — of Things!  '), 'uber bert a study of things');
  assert.equal(normaliseTitle('Schrödinger'), normaliseTitle('Schrodinger'));
  assert.equal(normaliseTitle('ﬁne-tuning'), 'fine tuning');
});

test('extractArxivId finds new- and old-style ids in ids, urls, prefixes and DOIs, without version', () => {
  const cases: Array<[string, string | undefined]> = [
    ['2503.11731', '2503.11731'],
    ['2503.11731v2', '2503.11731'],
    ['arXiv:1706.03762v5', '1706.03762'],
    ['https://arxiv.org/abs/2503.11731v1', '2503.11731'],
    ['https://arxiv.org/pdf/0911.1838.pdf', '0911.1838'],
    ['10.48550/arXiv.2503.11731', '2503.11731'],
    ['hep-th/9901001', 'hep-th/9901001'],
    ['arXiv:cond-mat/0703268v3', 'cond-mat/0703268'],
    ['https://arxiv.org/abs/math.GT/0309136', 'math.GT/0309136'],
    ['10.1145/3292500.3330701', undefined],
    ['10.1080/08990229771042', undefined],
    ['version 1.2345.6789', undefined],
    ['2513.12345', undefined],
    ['http://example.org/record/1234567', undefined],
    ['', undefined],
  ];
  for (const [input, expected] of cases) assert.equal(extractArxivId(input), expected, input);
});

test('normaliseDoi strips resolvers and prefixes and lowercases', () => {
  assert.equal(normaliseDoi('https://doi.org/10.1000/ABC.123'), '10.1000/abc.123');
  assert.equal(normaliseDoi('http://dx.doi.org/10.1000/x'), '10.1000/x');
  assert.equal(normaliseDoi('doi:10.1000/X '), '10.1000/x');
  assert.equal(normaliseDoi('10/fqd6hj'), '10/fqd6hj');
  assert.equal(normaliseDoi(''), undefined);
  assert.equal(normaliseDoi('not a doi'), undefined);
});

test('fallbackId depends only on the normalised title', () => {
  assert.match(fallbackId('Attention Is All You Need'), /^t-[0-9a-f]{12}$/);
  assert.equal(fallbackId('Attention Is All You Need'), fallbackId('attention is all you need.'));
  assert.notEqual(fallbackId('Attention Is All You Need'), fallbackId('Attention Is Not All You Need'));
});
