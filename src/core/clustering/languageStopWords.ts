/**
 * Stop words of the language a text is written in, for topic labels. Most libraries are English, but
 * proceedings mix in French, German, Spanish… abstracts; with English stop words alone their clusters
 * were labelled by function words ("de la · un · le", "die · der · des").
 *
 * The lists come from stopwords-iso. Its lists are broad (the English one holds "system", "research",
 * "information"), so a list is applied only to the texts written in its language: a text's language is
 * the one whose stop words cover most of its words, when that beats English by a clear margin. English
 * texts keep the hand-picked English list of the caller and lose no content words.
 */
import stopwordsIso from 'stopwords-iso/stopwords-iso.json';

/**
 * Latin-script languages of scholarly writing (the label tokenizer reads Latin letters only). Small
 * languages of the collection (Breton, Hausa, Zulu…) are left out: their lists are short, mostly
 * one- and two-letter words, and matched English titles more often than real texts.
 */
export const LABEL_LANGUAGES = ['fr', 'de', 'es', 'it', 'pt', 'nl', 'ca', 'gl', 'eu', 'ro', 'pl', 'cs', 'sk', 'sl', 'hr', 'hu', 'sv', 'da', 'no', 'fi', 'et', 'lv', 'lt', 'tr', 'id', 'ms'] as const;
export type LabelLanguage = (typeof LABEL_LANGUAGES)[number];

/** Words read to decide: a title and the start of an abstract show the language; the rest only costs time. */
const SAMPLE_WORDS = 80;
/** A language is chosen when at least this many of a text's words are its stop words… */
const MIN_HITS = 3;
/** …and it has more of them than English (by its own stopwords-iso list) times this. */
const MARGIN_OVER_ENGLISH = 1.2;

const lists = stopwordsIso as unknown as Record<string, readonly string[]>;
let byLanguage: Map<LabelLanguage, ReadonlySet<string>> | undefined;
/** Bit of stopwords-iso's English list in the masks below. */
const ENGLISH_BIT = LABEL_LANGUAGES.length;
/** word → languages (bit i = LABEL_LANGUAGES[i], ENGLISH_BIT = English) whose list holds it: one lookup per word. */
let languagesOfWord: Map<string, number> | undefined;

function load(): void {
  if (languagesOfWord) return;
  byLanguage = new Map();
  languagesOfWord = new Map();
  LABEL_LANGUAGES.forEach((lang, bit) => {
    const words = new Set((lists[lang] ?? []).map((w) => w.toLowerCase()));
    byLanguage?.set(lang, words);
    for (const w of words) languagesOfWord?.set(w, (languagesOfWord.get(w) ?? 0) | (1 << bit));
  });
  for (const w of lists['en'] ?? []) languagesOfWord.set(w.toLowerCase(), (languagesOfWord.get(w.toLowerCase()) ?? 0) | (1 << ENGLISH_BIT));
}

/** The language of these (lower-case) words, or undefined for English and anything undecided; nulls are skipped. */
export function detectLanguage(words: readonly (string | null)[]): LabelLanguage | undefined {
  load();
  const hits = new Int32Array(ENGLISH_BIT + 1);
  for (let i = 0, seen = 0; i < words.length && seen < SAMPLE_WORDS; i++) {
    const w = words[i];
    if (w === null || w === undefined) continue;
    seen++;
    let mask = languagesOfWord?.get(w) ?? 0;
    for (let bit = 0; mask !== 0; bit++, mask >>>= 1) if (mask & 1) hits[bit]!++;
  }
  let best = 0;
  for (let i = 1; i < ENGLISH_BIT; i++) if (hits[i]! > hits[best]!) best = i;
  const top = hits[best]!;
  return top >= MIN_HITS && top > hits[ENGLISH_BIT]! * MARGIN_OVER_ENGLISH ? LABEL_LANGUAGES[best] : undefined;
}

/** The stopwords-iso list of a language. */
export function stopWordsOf(lang: LabelLanguage): ReadonlySet<string> {
  load();
  return byLanguage?.get(lang) ?? new Set();
}
