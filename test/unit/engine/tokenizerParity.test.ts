/**
 * The bundled tokenizer.json, read by @huggingface/tokenizers, must give the ids of the reference
 * bert-base-uncased WordPiece tokenizer (the vocabulary the models were trained with). Reference ids
 * below are those printed by Hugging Face's Rust tokenizer for bert-base-uncased.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tokenizer } from '@huggingface/tokenizers';
import { loadModelSettings } from '../../../src/engine/modelFolder';
import { truncateKeepingSep } from '../../../src/core/tokenBatching';

const reference: [string, number[]][] = [
  ['Hello, my dog is cute', [101, 7592, 1010, 2026, 3899, 2003, 10140, 102]],
  ['hello world', [101, 7592, 2088, 102]],
  ['embeddings', [101, 7861, 8270, 4667, 2015, 102]],
];

for (const modelId of ['atlas-mini-encoder', 'atlas-mini-mlm']) {
  test(`${modelId}: tokenizer ids match bert-base-uncased`, () => {
    const settings = loadModelSettings(modelId);
    const tokenizer = new Tokenizer(settings.tokenizerJson, settings.tokenizerConfig);
    for (const [text, ids] of reference) assert.deepEqual(tokenizer.encode(text).ids, ids, text);
    // Lower-casing and accent stripping (BertNormalizer) as in the uncased model.
    assert.deepEqual(tokenizer.encode('Résumé ÜBER Café').ids, tokenizer.encode('resume uber cafe').ids);
    // Truncation keeps [SEP] last.
    const long = tokenizer.encode('word '.repeat(600)).ids;
    const cut = truncateKeepingSep(long, settings.maxTokens, 102);
    assert.equal(cut.length, settings.maxTokens);
    assert.equal(cut[0], 101);
    assert.equal(cut[cut.length - 1], 102);
  });
}
