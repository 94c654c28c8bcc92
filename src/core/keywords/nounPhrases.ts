/**
 * Keyphrase candidates a linguist would accept: noun phrases read off part-of-speech tags, not every
 * stop-word-free n-gram. A candidate is a run of 1..maxTerms terms, modifiers then nouns
 * (modifier* noun+: "hierarchical attention", "dialogue state tracking"), inside one chunk. Hyphenated terms
 * ("state-of-the-art", "RoBERTa-based") are one term (see candidatePhrases.ts); a hyphenated term
 * ending in a noun is a noun, any other is a modifier. Acronyms and model names ("BERT", "MultiWOZ",
 * "RoBERTa", "GPT-3", "word2vec") are nouns whatever the tagger says: it often calls them verbs or
 * numbers. Function words, adverbs, numbers and verbs (but for -ed/-ing participles as modifiers)
 * never enter a candidate.
 *
 * The tagger is injected: src/engine/keywords/partOfSpeechTagger.ts wraps wink-nlp, and tests can pass tags.
 */
import { type Candidate, candidateSpan, type Term, termsOf } from './candidatePhrases';
import type { WordSpan } from './wordSpans';

/** One tagged token of the tagger's own tokenisation: a character range and a Universal POS tag. */
export interface CharacterTag {
  start: number;
  end: number;
  pos: string;
}

export type PartOfSpeechTagger = (text: string) => CharacterTag[];

export type TermClass = 'noun' | 'modifier' | 'other';

/** Longest candidate in terms. */
export const MAX_PHRASE_TERMS = 4;

const NOUN_TAGS = new Set(['NOUN', 'PROPN']);
/** Letters with two capitals in them (BERT, RoBERTa, MultiWOZ, SciBERT) or letters with digits (GPT-3, T5, word2vec). */
const TWO_CAPITALS = /\p{Lu}.*\p{Lu}/u;
const LETTER_AND_DIGIT = /^(?=.*\p{L})(?=.*\p{N})[\p{L}\p{N}-]+$/u;

/** Two capitals within one hyphen-separated part ("Large-Scale" is not an acronym), or letters with digits. */
export function isAcronymOrModelName(term: string): boolean {
  return LETTER_AND_DIGIT.test(term) || term.split('-').some((part) => TWO_CAPITALS.test(part));
}

/** The tag of the tagger token covering character `at` (binary search; tags are in text order). */
function tagAt(tags: readonly CharacterTag[], at: number): string | undefined {
  let lo = 0;
  let hi = tags.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const t = tags[mid]!;
    if (at < t.start) hi = mid - 1;
    else if (at >= t.end) lo = mid + 1;
    else return t.pos;
  }
  return undefined;
}

/**
 * What each term can be in a noun phrase; `null` terms (boundaries) are 'other'. A hyphenated term is
 * classed by its last part ("RoBERTa-based" is a modifier, "BERT-base" a noun); a lower-case
 * hyphenated noun right before another noun is a modifier there ("large-scale corpus",
 * "state-of-the-art results"), so it does not stand alone as a candidate at that place.
 */
export function termClasses(terms: readonly (Term | null)[], words: readonly WordSpan[], tags: readonly CharacterTag[]): TermClass[] {
  const classes = terms.map((t): TermClass => {
    if (!t || t.stop) return 'other';
    const hyphenated = t.lastWord > t.firstWord;
    const lastPart = words[t.lastWord]!;
    const last = tagAt(tags, lastPart.start);
    if (hyphenated) {
      if (isAcronymOrModelName(lastPart.text) || /^\p{N}+$/u.test(lastPart.text) || (last !== undefined && NOUN_TAGS.has(last))) return 'noun';
      return 'modifier';
    }
    if (isAcronymOrModelName(t.text)) return 'noun';
    if (last !== undefined && NOUN_TAGS.has(last)) return 'noun';
    if (last === 'ADJ') return 'modifier';
    if (last === 'VERB' && /(?:ed|ing)$/i.test(t.text)) return 'modifier';
    return 'other';
  });
  terms.forEach((t, i) => {
    if (t && classes[i] === 'noun' && t.lastWord > t.firstWord && t.text === t.text.toLowerCase() && classes[i + 1] === 'noun') classes[i] = 'modifier';
  });
  terms.forEach((t, i) => {
    if (t && classes[i] === 'noun' && isVerbAfterPluralSubject(terms, classes, tags, i)) classes[i] = 'other';
  });
  return classes;
}

/** Tags that follow a verb but not the head noun of a phrase ("exhibit diverse", "feature more", "show that"). */
const AFTER_VERB_TAGS = new Set(['ADJ', 'ADV', 'DET', 'PRON', 'NUM', 'SCONJ']);

/** The tag of the first tagger token that starts at or after character `at`. */
function tagFrom(tags: readonly CharacterTag[], at: number): string | undefined {
  let lo = 0;
  let hi = tags.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tags[mid]!.start < at) lo = mid + 1;
    else hi = mid;
  }
  return tags[lo]?.pos;
}

/**
 * The tagger reads the verb of "galaxies exhibit diverse profiles" or "Elliptical galaxies feature
 * more uniform light" as a noun (both words are nouns elsewhere), which made "galaxies exhibit" a
 * candidate. A lower-case one-word noun right after a plural noun and right before an adjective,
 * adverb, determiner, pronoun, number or subordinating conjunction is taken for that verb.
 */
function isVerbAfterPluralSubject(terms: readonly (Term | null)[], classes: readonly TermClass[], tags: readonly CharacterTag[], i: number): boolean {
  const t = terms[i]!;
  const previous = terms[i - 1];
  if (!previous || classes[i - 1] !== 'noun' || t.lastWord > t.firstWord || t.text !== t.text.toLowerCase()) return false;
  if (!/[^s]s$/i.test(previous.text) || isAcronymOrModelName(previous.text)) return false;
  const next = tagFrom(tags, t.end);
  return next !== undefined && AFTER_VERB_TAGS.has(next);
}

export interface NounPhraseCandidates {
  terms: (Term | null)[];
  classes: TermClass[];
  candidates: Candidate[];
}

/** Noun-phrase candidates in text order (by start, then length), keyed like candidatePhrases'. */
export function nounPhraseCandidates(
  text: string,
  words: readonly WordSpan[],
  tags: readonly CharacterTag[],
  maxTerms = MAX_PHRASE_TERMS,
): NounPhraseCandidates {
  const terms = termsOf(text, words);
  const classes = termClasses(terms, words, tags);
  const candidates: Candidate[] = [];
  for (let a = 0; a < terms.length; a++) {
    if (classes[a] === 'other') continue;
    let sawNoun = false;
    for (let b = a; b < Math.min(terms.length, a + maxTerms); b++) {
      // Modifiers* nouns+: a modifier after a noun starts another phrase ("method combining quantum").
      if (classes[b] === 'other' || (sawNoun && classes[b] === 'modifier')) break;
      if (classes[b] !== 'noun') continue;
      sawNoun = true;
      candidates.push(candidateSpan(text, terms, a, b));
    }
  }
  return { terms, classes, candidates };
}
