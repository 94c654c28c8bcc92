/**
 * Candidate keyphrases: runs of 1..maxTerms terms (3 by default, 4 for document frequency) with no
 * punctuation between them and no stop-word at
 * either edge. A term is one BERT word or several glued by hyphens without spaces ("GPT-4",
 * "state-of-the-art"), because BERT splits on the hyphen but readers do not. The shipped candidates
 * are the noun phrases of nounPhrases.ts (built on these terms, a subset of these n-grams); the
 * n-grams remain what library document frequency counts and what the earlier TF-IDF baseline ranks.
 */
import { porterStem } from './porterStemmer';
import { isStopWord } from './stopWords';
import type { WordSpan } from './wordSpans';

export interface Term {
  text: string;
  start: number;
  end: number;
  /** Indices into the word list: words[firstWord..lastWord] make up the term. */
  firstWord: number;
  lastWord: number;
  stop: boolean;
  /** Lower-cased, stemmed, hyphen parts joined by spaces: the matching key of the term. */
  key: string;
}

export interface Candidate {
  text: string;
  start: number;
  end: number;
  /** Terms (indices into the term list) the candidate spans. */
  firstTerm: number;
  lastTerm: number;
  firstWord: number;
  lastWord: number;
  /** Stemmed key: two candidates with the same key are the same keyphrase. */
  key: string;
}

const ALNUM = /^[\p{L}\p{M}\p{N}]+$/u;
const HAS_LETTER = /\p{L}/u;

/** Lower-case, stem every alphanumeric part; "Neural-Networks" and "neural networks" share a key. */
export function phraseKey(phrase: string): string {
  return phrase
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((p) => p.length > 0)
    .map(porterStem)
    .join(' ');
}

/**
 * Groups words into terms; punctuation other than an inner hyphen ends a term and is not a term
 * itself. A `null` entry marks a phrase boundary (punctuation, or a term that cannot be a keyword).
 */
export function termsOf(text: string, words: readonly WordSpan[]): (Term | null)[] {
  const out: (Term | null)[] = [];
  let i = 0;
  while (i < words.length) {
    const w = words[i]!;
    if (w.punctuation || !ALNUM.test(w.text)) {
      if (out.length > 0 && out[out.length - 1] !== null) out.push(null);
      i++;
      continue;
    }
    let last = i;
    // Glue "a-b-c" while each hyphen touches the words on both sides.
    while (last + 2 < words.length) {
      const dash = words[last + 1]!;
      const nextWord = words[last + 2]!;
      const glued =
        dash.text === '-' && dash.start === words[last]!.end && nextWord.start === dash.end && !nextWord.punctuation && ALNUM.test(nextWord.text);
      if (!glued) break;
      last += 2;
    }
    const start = w.start;
    const end = words[last]!.end;
    const termText = text.slice(start, end);
    if (!HAS_LETTER.test(termText) || termText.length < 2) {
      // Numbers and single letters neither make keyphrases nor join them ("in 2017 experiments").
      if (out.length > 0 && out[out.length - 1] !== null) out.push(null);
    } else {
      out.push({ text: termText, start, end, firstWord: i, lastWord: last, stop: last === i && isStopWord(termText), key: phraseKey(termText) });
    }
    i = last + 1;
  }
  return out;
}

/** All candidates of 1..maxTerms terms, in text order (by start, then length). */
/** The candidate made of terms a..b (all present) of `text`. */
export function candidateSpan(text: string, terms: readonly (Term | null)[], a: number, b: number): Candidate {
  const parts = terms.slice(a, b + 1) as Term[];
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  return {
    text: text.slice(first.start, last.end),
    start: first.start,
    end: last.end,
    firstTerm: a,
    lastTerm: b,
    firstWord: first.firstWord,
    lastWord: last.lastWord,
    key: parts.map((t) => t.key).join(' '),
  };
}

export function candidatePhrases(text: string, words: readonly WordSpan[], maxTerms = 3): { terms: (Term | null)[]; candidates: Candidate[] } {
  const terms = termsOf(text, words);
  const candidates: Candidate[] = [];
  for (let a = 0; a < terms.length; a++) {
    const first = terms[a];
    if (!first || first.stop) continue;
    for (let b = a; b < Math.min(terms.length, a + maxTerms); b++) {
      const last = terms[b];
      if (!last) break;
      if (last.stop) continue;
      candidates.push(candidateSpan(text, terms, a, b));
    }
  }
  return { terms, candidates };
}
