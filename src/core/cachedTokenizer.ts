/**
 * BERT WordPiece tokenisation with a per-word cache. BERT's normaliser works character by character
 * and its pre-tokeniser splits on whitespace before anything else, so encoding a text word by word
 * gives exactly the ids of encoding it whole (a unit test checks this on real abstracts). Scientific
 * abstracts reuse most of their words, so nearly every word becomes a map lookup instead of a pass
 * through the library's normaliser, regexes and WordPiece loop — and we stop once the model's token
 * budget is full instead of tokenising the rest of a long text.
 */
import type { Tokenizer } from '@huggingface/tokenizers';

/** BERT's whitespace: space, tab, newline, carriage return and Unicode space separators (Zs). */
const BERT_WHITESPACE = /[\t\n\r\p{Zs}]+/u;
const MAX_CACHED_WORDS = 200_000;

export class CachedWordPieceTokenizer {
  private readonly cache = new Map<string, readonly number[]>();

  constructor(
    private readonly tokenizer: Tokenizer,
    private readonly clsId: number,
    private readonly sepId: number,
  ) {}

  /** [CLS] ids… [SEP], at most `maxTokens` long (the cut keeps [SEP] last). */
  encode(text: string, maxTokens: number): number[] {
    const ids: number[] = [this.clsId];
    const budget = maxTokens - 1;
    for (const word of text.split(BERT_WHITESPACE)) {
      if (word.length === 0) continue;
      const pieces = this.wordPieces(word);
      for (const id of pieces) {
        if (ids.length >= budget) break;
        ids.push(id);
      }
      if (ids.length >= budget) break;
    }
    ids.push(this.sepId);
    return ids;
  }

  private wordPieces(word: string): readonly number[] {
    let pieces = this.cache.get(word);
    if (!pieces) {
      pieces = this.tokenizer.encode(word, { add_special_tokens: false }).ids;
      if (this.cache.size >= MAX_CACHED_WORDS) this.cache.clear();
      this.cache.set(word, pieces);
    }
    return pieces;
  }
}
