/**
 * Words with character offsets, split the way BERT's pre-tokeniser splits: on whitespace, and every
 * punctuation character is a word of its own. Encoding each such word separately gives exactly the
 * WordPiece ids of encoding the whole text (the same argument as src/core/cachedTokenizer.ts), and
 * it is the only way to get character offsets: @huggingface/tokenizers returns none.
 */

/** One pre-tokenised word: `text === source.slice(start, end)`; pieces are its WordPiece ids. */
export interface WordSpan {
  text: string;
  start: number;
  end: number;
  punctuation: boolean;
}

export interface EncodedWord extends WordSpan {
  pieces: readonly number[];
  /** Index of the word's first piece in `EncodedText.ids` (no [CLS] counted); pieceEnd is exclusive. */
  pieceStart: number;
  pieceEnd: number;
}

export interface EncodedText {
  text: string;
  words: EncodedWord[];
  /** The concatenated pieces of all words, without special tokens. */
  ids: number[];
}

/** Word → WordPiece ids without special tokens (see `wordPiecesFrom` for the cached tokenizer). */
export type WordPieceFn = (word: string) => readonly number[];

/** BERT's whitespace, as in cachedTokenizer.ts: space, tab, newline, carriage return, Zs. */
const WHITESPACE = /[\t\n\r\p{Zs}]/u;
const UNICODE_PUNCTUATION = /\p{P}/u;

/** BERT counts all non-alphanumeric printable ASCII as punctuation (`$`, `+`, `^`…), plus Unicode P*. */
export function isBertPunctuation(char: string): boolean {
  const cp = char.codePointAt(0) ?? 0;
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) return true;
  return UNICODE_PUNCTUATION.test(char);
}

export function splitWords(text: string): WordSpan[] {
  const words: WordSpan[] = [];
  let wordStart = -1;
  const close = (end: number): void => {
    if (wordStart >= 0 && end > wordStart) words.push({ text: text.slice(wordStart, end), start: wordStart, end, punctuation: false });
    wordStart = -1;
  };
  let i = 0;
  while (i < text.length) {
    // Code points, not UTF-16 units: an astral character must not be cut in half.
    const cp = text.codePointAt(i) ?? 0;
    const char = String.fromCodePoint(cp);
    const next = i + char.length;
    if (WHITESPACE.test(char)) {
      close(i);
    } else if (isBertPunctuation(char)) {
      close(i);
      words.push({ text: char, start: i, end: next, punctuation: true });
    } else if (wordStart < 0) {
      wordStart = i;
    }
    i = next;
  }
  close(text.length);
  return words;
}

/**
 * Splits and encodes `text`, stopping before the word that would take the piece count past
 * `maxPieces` (words after it are dropped, like the encoder's truncation).
 */
export function encodeWithWordSpans(text: string, wordPieces: WordPieceFn, maxPieces = Number.POSITIVE_INFINITY): EncodedText {
  const ids: number[] = [];
  const words: EncodedWord[] = [];
  for (const w of splitWords(text)) {
    const pieces = wordPieces(w.text);
    if (ids.length + pieces.length > maxPieces) break;
    words.push({ ...w, pieces, pieceStart: ids.length, pieceEnd: ids.length + pieces.length });
    for (const id of pieces) ids.push(id);
  }
  return { text, words, ids };
}

/**
 * Adapts anything with the cached tokenizer's `encode(text, maxTokens)` ([CLS] … [SEP]) to a
 * per-word piece function, so keyword scoring shares its word cache instead of keeping another.
 */
export function wordPiecesFrom(tokenizer: { encode(text: string, maxTokens: number): number[] }): WordPieceFn {
  return (word) => tokenizer.encode(word, Number.MAX_SAFE_INTEGER).slice(1, -1);
}
