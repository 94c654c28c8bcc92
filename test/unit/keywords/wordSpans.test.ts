/**
 * Word spans must slice the original text exactly (the heat-map paints those offsets), and encoding
 * word by word must give the ids of encoding the whole text (the MLM must see what it was trained on).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { encodeWithWordSpans, splitWords } from '../../../src/core/keywords/wordSpans';
import { packageRoot } from '../../../src/engine/node/packageRoot';

test('spans slice the text exactly: accents, punctuation, several spaces, tabs and newlines', () => {
  const text = '  Café-au-lait   résumé,\tnaïve\n\n(GPT-4) “quotes” — 3D… x²+y² ok.  ';
  const words = splitWords(text);
  for (const w of words) assert.equal(text.slice(w.start, w.end), w.text);
  assert.deepEqual(
    words.map((w) => w.text),
    ['Café', '-', 'au', '-', 'lait', 'résumé', ',', 'naïve', '(', 'GPT', '-', '4', ')', '“', 'quotes', '”', '—', '3D', '…', 'x²', '+', 'y²', 'ok', '.'],
  );
  assert.ok(words.filter((w) => w.punctuation).every((w) => w.text.length === 1));
  assert.ok(words.filter((w) => !w.punctuation).every((w) => !/\s/.test(w.text)));
});

test('combining accents and astral characters stay inside their word', () => {
  const text = 'cafe\u0301 𝛼-helix';
  const words = splitWords(text);
  assert.deepEqual(
    words.map((w) => text.slice(w.start, w.end)),
    ['cafe\u0301', '𝛼', '-', 'helix'],
  );
});

test('word-by-word pieces equal whole-text pieces, and piece ranges are contiguous', () => {
  const dir = path.join(packageRoot(), 'models', 'atlas-mini-encoder');
  const tokenizer = new Tokenizer(
    JSON.parse(readFileSync(path.join(dir, 'tokenizer.json'), 'utf8')) as object,
    JSON.parse(readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8')) as object,
  );
  const text = 'We fine-tune BERT (Devlin et al., 2019) on 3D point-clouds: F1 = 0.87±0.02; Schrödinger’s équation   works.';
  const encoded = encodeWithWordSpans(text, (w) => tokenizer.encode(w, { add_special_tokens: false }).ids);
  assert.deepEqual(encoded.ids, tokenizer.encode(text, { add_special_tokens: false }).ids);
  let next = 0;
  for (const w of encoded.words) {
    assert.equal(w.pieceStart, next);
    assert.equal(w.pieceEnd - w.pieceStart, w.pieces.length);
    assert.deepEqual(encoded.ids.slice(w.pieceStart, w.pieceEnd), [...w.pieces]);
    next = w.pieceEnd;
  }
  const cut = encodeWithWordSpans(text, (w) => tokenizer.encode(w, { add_special_tokens: false }).ids, 10);
  assert.ok(cut.ids.length <= 10);
  assert.ok(cut.words.length < encoded.words.length);
});
