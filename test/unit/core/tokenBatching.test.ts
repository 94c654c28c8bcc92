import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Tokenizer } from '@huggingface/tokenizers';
import { CachedWordPieceTokenizer } from '../../../src/core/cachedTokenizer';
import { lengthSortedBatches, padBatch, poolAndNormalise } from '../../../src/core/tokenBatching';

test('truncation keeps the final [SEP]', () => {
  // A stand-in tokenizer: each word is one piece whose id is the word itself.
  const oneIdPerWord = { encode: (word: string) => ({ ids: [Number(word)] }) } as unknown as Tokenizer;
  const pieces = new CachedWordPieceTokenizer(oneIdPerWord, 101, 102);
  assert.deepEqual(pieces.encode('5 6 7 8', 4), [101, 5, 6, 102]);
  assert.deepEqual(pieces.encode('5', 4), [101, 5, 102]);
});

test('batches are length-sorted and respect both the text and the token budget', () => {
  const texts = [30, 2, 10, 3, 29, 11].map((len, index) => ({ index, ids: Array.from({ length: len }, () => 7) }));
  const batches = lengthSortedBatches(texts, 2, 40);
  const lengths = batches.map((b) => b.map((t) => t.ids.length));
  assert.deepEqual(lengths, [[2, 3], [10, 11], [29], [30]]);
  for (const b of batches) assert.ok(b.length * Math.max(...b.map((t) => t.ids.length)) <= 40 || b.length === 1);
  assert.equal(batches.flat().length, texts.length);
});

test('padding and mean pooling ignore pad positions and normalise', () => {
  const batch = [
    { index: 0, ids: [1, 2] },
    { index: 1, ids: [3] },
  ];
  const { width, inputIds, attentionMask } = padBatch(batch, 0);
  assert.equal(width, 2);
  assert.deepEqual([...inputIds], [1n, 2n, 3n, 0n]);
  assert.deepEqual([...attentionMask], [1n, 1n, 1n, 0n]);
  // hidden [2, 2, 2]: row 1's pad position holds garbage that must not leak into its mean.
  const hidden = Float32Array.from([3, 0, 5, 0, 0, 2, 100, 100]);
  const [a, b] = poolAndNormalise(hidden, 2, width, 2, attentionMask, 'mean');
  assert.deepEqual([...a!], [1, 0]);
  assert.deepEqual([...b!], [0, 1]);
  const [c] = poolAndNormalise(hidden, 2, width, 2, attentionMask, 'cls');
  assert.deepEqual([...c!], [1, 0]);
});
