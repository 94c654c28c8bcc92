/**
 * The bundled tokenizer.json, read by @huggingface/tokenizers, must give the ids of the reference
 * bert-base-uncased WordPiece tokenizer (the vocabulary the models were trained with). Reference ids
 * below are those printed by Hugging Face's Rust tokenizer for bert-base-uncased.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tokenizer } from '@huggingface/tokenizers';
import { CachedWordPieceTokenizer } from '../../../src/core/cachedTokenizer';
import { loadModelSettings } from '../../../src/engine/models/modelFolder';

const reference: [string, number[]][] = [
  ['Hello, my dog is cute', [101, 7592, 1010, 2026, 3899, 2003, 10140, 102]],
  ['hello world', [101, 7592, 2088, 102]],
  ['embeddings', [101, 7861, 8270, 4667, 2015, 102]],
];

/** The reference truncation: the first maxTokens ids, with [SEP] kept as the last one. */
function truncateKeepingSep(ids: readonly number[], maxTokens: number, sepId: number): number[] {
  if (ids.length <= maxTokens) return [...ids];
  const cut = ids.slice(0, maxTokens);
  if (ids[ids.length - 1] === sepId) cut[maxTokens - 1] = sepId;
  return cut;
}

for (const modelId of ['atlas-mini-encoder', 'atlas-mini-mlm']) {
  test(`${modelId}: tokenizer ids match bert-base-uncased`, () => {
    const settings = loadModelSettings(modelId);
    const tokenizer = new Tokenizer(settings.tokenizerJson, settings.tokenizerConfig);
    for (const [text, ids] of reference) assert.deepEqual(tokenizer.encode(text).ids, ids, text);
    // Lower-casing and accent stripping (BertNormalizer) as in the uncased model.
    assert.deepEqual(tokenizer.encode('Résumé ÜBER Café').ids, tokenizer.encode('resume uber cafe').ids);
    // The engine's truncation (word-cached tokeniser) keeps [SEP] last at the model's max_tokens.
    const cut = new CachedWordPieceTokenizer(tokenizer, 101, 102).encode('word '.repeat(600), settings.maxTokens);
    assert.equal(cut.length, settings.maxTokens);
    assert.equal(cut[0], 101);
    assert.equal(cut[cut.length - 1], 102);
  });
}

test('word-cached tokenisation gives exactly the library ids on real abstracts (truncated at 256)', async (t) => {
  const { existsSync, readFileSync } = await import('node:fs');
  const { gunzipSync } = await import('node:zlib');
  const path = await import('node:path');
  const { packageRoot } = await import('../../../src/engine/node/packageRoot');
  const settings = loadModelSettings('atlas-mini-encoder');
  const tokenizer = new Tokenizer(settings.tokenizerJson, settings.tokenizerConfig);
  const cached = new CachedWordPieceTokenizer(tokenizer, 101, 102);
  const texts = [
    'Tabs\tand\nnew lines\r\nand\u00a0no-break spaces, “quotes”, naïve café, 中文字符, x²+y² ≤ 1.',
    'Zero\u200bwidth and soft\u00adhyphen and e\u0301 combining accents',
  ];
  const arxiv = path.join(packageRoot(), '..', 'shared', 'data', 'arxiv', 'arxiv-listings.jsonl.gz');
  if (existsSync(arxiv)) {
    const lines = gunzipSync(readFileSync(arxiv)).toString('utf8').split('\n', 1500);
    for (const line of lines) {
      if (!line) continue;
      const p = JSON.parse(line) as { title: string; abstract: string };
      texts.push(`${p.title}. ${p.abstract}`);
    }
  } else t.diagnostic('../shared/data is absent: checked the hand-written texts only');
  for (const text of texts) {
    const reference = truncateKeepingSep(tokenizer.encode(text).ids, 256, 102);
    assert.deepEqual(cached.encode(text, 256), reference, text.slice(0, 80));
  }
});
