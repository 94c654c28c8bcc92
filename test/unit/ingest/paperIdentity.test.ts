import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { conflictingIdentifiers, contentHash, extractArxivId, fallbackId, identityKeys, normaliseDoi, normaliseTitle, referenceKeys } from '../../../src/core/paperIdentity';

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

test('identityKeys: long titles match alone, short titles only with year and first author', () => {
  assert.deepEqual(identityKeys({ title: 'Attention Is All You Need', authors: [] }), ['title:attention is all you need']);
  assert.deepEqual(identityKeys({ title: 'Editorial', authors: ['Jane Smith'], year: 2019 }), ['title:editorial|2019|smith']);
  assert.deepEqual(identityKeys({ title: 'Editorial', authors: [] }), [], 'a short title with nothing else identifies nothing');
  assert.deepEqual(identityKeys({ title: '', authors: [], doi: 'https://doi.org/10.1000/X', arxivId: 'math.GT/0309136v2' }), ['doi:10.1000/x', 'arxiv:math.gt/0309136']);
});

test('conflictingIdentifiers: different DOIs or arXiv ids, however written, are different papers', () => {
  const a = { title: 'Deep learning on graphs', authors: [] };
  assert.equal(conflictingIdentifiers({ ...a, doi: '10.1000/one' }, { ...a, doi: '10.1000/two' }), true);
  assert.equal(conflictingIdentifiers({ ...a, doi: '10.1000/ONE' }, { ...a, doi: 'doi:10.1000/one' }), false);
  assert.equal(conflictingIdentifiers({ ...a, arxivId: '2101.00001' }, { ...a, arxivId: '2101.00001v2' }), false);
  assert.equal(conflictingIdentifiers({ ...a, arxivId: '2101.00001' }, { ...a, arxivId: '2101.00002' }), true);
  assert.equal(conflictingIdentifiers({ ...a, doi: '10.1000/one' }, a), false, 'a missing identifier does not conflict');
});

test('referenceKeys: an arXiv DOI names its arXiv id too; digits in other DOIs do not', () => {
  assert.deepEqual(referenceKeys('10.48550/arXiv.2503.11731'), ['doi:10.48550/arxiv.2503.11731', 'arxiv:2503.11731']);
  assert.deepEqual(referenceKeys('10.1000/2503.11731'), ['doi:10.1000/2503.11731']);
  assert.deepEqual(referenceKeys('arXiv:2503.11731v4'), ['arxiv:2503.11731']);
  assert.deepEqual(referenceKeys('not a reference'), []);
});
