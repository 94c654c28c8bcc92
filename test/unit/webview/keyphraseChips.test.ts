import { test } from 'node:test';
import assert from 'node:assert/strict';
import { foldNestedPhrases } from '../../../src/shared/keyphraseChips';

test('phrases nested in a longer one are shown once, as the longer phrase', () => {
  assert.deepEqual(foldNestedPhrases(['Dense Passage Retrieval', 'Passage Retrieval', 'open-domain QA', 'Retrieval', 'Passage']), ['Dense Passage Retrieval', 'open-domain QA']);
});

test('a longer phrase ranked later takes the place of the first phrase it contains', () => {
  assert.deepEqual(foldNestedPhrases(['retrieval', 'question answering', 'passage', 'dense passage retrieval']), ['dense passage retrieval', 'question answering']);
});

test('only adjacent words in order count as nested; case and punctuation do not matter', () => {
  assert.deepEqual(foldNestedPhrases(['neural network', 'network neural', 'neural graph network']), ['neural network', 'network neural', 'neural graph network']);
  assert.deepEqual(foldNestedPhrases(['Self-Attention', 'self attention', 'attention']), ['Self-Attention']);
  assert.deepEqual(foldNestedPhrases(['', '  ', 'topic']), ['topic']);
});

test('the cap applies after folding', () => {
  const top = ['a b c', 'b c', 'c', 'd', 'e', 'f'];
  assert.deepEqual(foldNestedPhrases(top, 3), ['a b c', 'd', 'e']);
});
