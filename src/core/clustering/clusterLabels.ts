/**
 * Cluster labels by class-based TF-IDF (c-TF-IDF, as in BERTopic): all papers of a cluster are one
 * document; a phrase scores tf_c(t) · log(1 + A / f(t)), where tf_c is its frequency in the cluster
 * (normalised by the cluster's length), f(t) its frequency over all clusters and A the average
 * number of words per cluster. Phrases common everywhere ("we propose", "results") sink; phrases a
 * cluster uses much more than the others rise.
 */
import { detectLanguage, stopWordsOf } from './languageStopWords';

export interface ClusterTerms {
  /** Top phrases joined with " · ", e.g. "diffusion models · image editing · text-to-image". */
  label: string;
  keywords: string[];
}

export interface ClusterLabelOptions {
  /** Phrases in the label (default 3). */
  labelTerms?: number;
  /** Phrases in `keywords` (default 10). */
  keywords?: number;
  /** Texts read per cluster at most (default 400). */
  maxDocsPerCluster?: number;
}

// English function words plus the boilerplate of abstracts: they would otherwise top every cluster
// or glue meaningless bigrams ("paper propose").
const STOP_WORDS = new Set(
  (
    'a about above after again against all also although am among an and any are as at be because been before being below between both but by can could did do does doing down during each either else ever every few for from further had has have having he her here hers him his how however i if in into is it its itself just least less like many may me might more most much must my neither no nor not of off on once one only or other others otherwise our ours out over own per rather same several she should since so some such than that the their theirs them then there therefore these they this those though through thus to too toward towards under until up upon us very via was we well were what when where whether which while who whom whose why will with within without would yet you your ' +
    'paper papers combine combines combining propose proposed proposes proposing present presents presented introduce introduces introduced approach approaches method methods result results show shows shown showing demonstrate demonstrates demonstrated novel new existing work works study studies studied based using use used uses usage able achieve achieves achieved achieving provide provides provided further furthermore moreover additionally respectively particular particularly significantly significant often various well-known et al e.g i.e etc first second third two three four five paper. code available https http www github com ' +
    'mathcal mathbb mathbf mathrm textit textbf emph left right frac sqrt cdot leq geq sim approx times'
  ).split(/\s+/),
);

// Characters that end a phrase: a bigram never spans them.
const PHRASE_BREAKS = new Set([...'.,;:!?()[]{}"\u201c\u201d\u2018\u2019\u2013\u2014'].map((c) => c.charCodeAt(0)));

/** a-z, 0-9, '-', '+' and the accented Latin letters (not × and ÷). */
function isTokenChar(ch: number): boolean {
  return (ch >= 97 && ch <= 122) || (ch >= 48 && ch <= 57) || ch === 45 || ch === 43 || (ch >= 0xc0 && ch <= 0x24f && ch !== 0xd7 && ch !== 0xf7);
}

function hasLetter(token: string): boolean {
  for (let i = 0; i < token.length; i++) {
    const ch = token.charCodeAt(i);
    if ((ch >= 97 && ch <= 122) || ch >= 0xc0) return true;
  }
  return false;
}

/**
 * Unigrams and bigrams of a text, in order. Bigrams never cross punctuation or a stop word, so they
 * are phrases a reader would recognise ("image editing"), not accidents ("editing we"). Stop words are
 * the English ones above plus those of the text's own language when it is not English ("de", "la"
 * in a French abstract). A hand-written scanner rather than regular expressions: this runs over every
 * abstract of the library.
 */
export function textPhrases(text: string): string[] {
  const lower = text.toLowerCase();
  // Tokens first (null marks a phrase break), so the language is known before stop words are dropped.
  const tokens: Array<string | null> = [];
  let start = -1;
  for (let i = 0; i <= lower.length; i++) {
    const ch = i < lower.length ? lower.charCodeAt(i) : 32;
    if (isTokenChar(ch)) {
      if (start < 0) start = i;
      continue;
    }
    if (start >= 0) {
      let a = start;
      let b = i;
      while (a < b && (lower.charCodeAt(a) === 45 || lower.charCodeAt(a) === 43)) a++;
      while (b > a && lower.charCodeAt(b - 1) === 45) b--;
      tokens.push(lower.slice(a, b));
      start = -1;
    }
    if (PHRASE_BREAKS.has(ch)) tokens.push(null);
  }
  const language = detectLanguage(tokens);
  const own = language ? stopWordsOf(language) : undefined;
  const phrases: string[] = [];
  let previous: string | undefined;
  for (const token of tokens) {
    if (token === null || token.length < 2 || STOP_WORDS.has(token) || own?.has(token) || !hasLetter(token)) previous = undefined;
    else {
      phrases.push(token);
      if (previous !== undefined) phrases.push(`${previous} ${token}`);
      previous = token;
    }
  }
  return phrases;
}

/** Lower case, one space between words: what a multi-word phrase is searched in. */
function normalised(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ');
}

/** Crude singular form, only used to spot that "diffusion model" and "diffusion models" are one phrase. */
function stemWord(word: string): string {
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss') && !word.endsWith('us') && !word.endsWith('is')) return word.slice(0, -1);
  return word;
}

/**
 * Labels for clusters 0..k-1 from their papers' texts (title + abstract). `assignments[i]` is the
 * cluster of `texts[i]`; a negative assignment leaves the text out.
 *
 * Phrases are interned to integer ids and counted cluster by cluster in one reusable array: per
 * cluster string maps would hold millions of one-off bigrams at 75k papers. A cluster larger than
 * `maxDocsPerCluster` is represented by evenly spaced members — a few hundred abstracts name a
 * topic as well as a few thousand, at a fraction of the cost.
 */
export function clusterLabels(texts: readonly string[], assignments: ArrayLike<number>, k: number, options: ClusterLabelOptions = {}): ClusterTerms[] {
  const labelTerms = options.labelTerms ?? 3;
  const keywordCount = options.keywords ?? 10;
  const cap = options.maxDocsPerCluster ?? 400;
  const members: number[][] = Array.from({ length: k }, () => []);
  texts.forEach((_, i) => {
    const c = assignments[i] as number;
    if (c >= 0 && c < k) members[c]?.push(i);
  });
  const chosen = members.map((list) => (list.length <= cap ? list : Array.from({ length: cap }, (_, j) => list[Math.floor((j * list.length) / cap)] as number)));

  const ids = new Map<string, number>();
  const phrases: string[] = [];
  const overall: number[] = [];
  const local: number[] = [];
  const words = new Float64Array(k);
  const kept: Array<Array<[number, number]>> = [];
  chosen.forEach((docs, c) => {
    const touched: number[] = [];
    for (const i of docs) {
      for (const phrase of textPhrases(texts[i] as string)) {
        let id = ids.get(phrase);
        if (id === undefined) {
          id = phrases.push(phrase) - 1;
          ids.set(phrase, id);
          overall.push(0);
          local.push(0);
        }
        if (local[id] === 0) touched.push(id);
        local[id] = (local[id] as number) + 1;
        overall[id] = (overall[id] as number) + 1;
        if (!phrase.includes(' ')) words[c] = (words[c] as number) + 1;
      }
    }
    // A phrase seen once in a cluster of several papers is one paper's quirk, not the cluster's topic.
    const minCount = docs.length >= 3 ? 2 : 1;
    kept.push(touched.filter((id) => (local[id] as number) >= minCount).map((id) => [id, local[id] as number]));
    for (const id of touched) local[id] = 0;
  });
  let totalWords = 0;
  for (const w of words) totalWords += w;
  const avgWords = Math.max(1, totalWords / Math.max(1, k));

  return kept.map((list, c) => {
    const length = Math.max(1, words[c] as number);
    const scored = list.map(([id, f]) => ({ phrase: phrases[id] as string, score: (f / length) * Math.log(1 + avgWords / (overall[id] as number)) }));
    scored.sort((p, q) => q.score - p.score || (p.phrase < q.phrase ? -1 : 1));
    const docs = chosen[c] ?? [];
    const minCount = docs.length >= 3 ? 2 : 1;
    const lowered = new Map<number, string>();
    const occurs = (phrase: string): boolean => {
      let seen = 0;
      for (const i of docs) {
        let text = lowered.get(i);
        if (text === undefined) lowered.set(i, (text = normalised(texts[i] as string)));
        if (text.includes(phrase) && ++seen >= minCount) return true;
      }
      return false;
    };
    const keywords = distinctPhrases(
      scored.map((s) => s.phrase),
      keywordCount,
      occurs,
    );
    return { label: keywords.slice(0, labelTerms).join(' · '), keywords };
  });
}

/**
 * Best-first phrases without repeats: a bigram that continues a chosen bigram extends it into a
 * trigram ("graph neural" + "neural networks"), a bigram replaces a chosen unigram it contains
 * ("diffusion" → "diffusion models"), and a phrase whose words are all covered is skipped.
 */
function distinctPhrases(ranked: readonly string[], count: number, occurs: (phrase: string) => boolean): string[] {
  let chosen: Array<{ stems: string[]; phrase: string }> = [];
  for (const phrase of ranked) {
    if (chosen.length >= count) break;
    const words = phrase.split(' ');
    const stems = words.map(stemWord);
    if (stems.length === 2) {
      const [first, second] = stems as [string, string];
      const chain = chosen.findIndex((c) => c.stems.length === 2 && (c.stems[1] === first || c.stems[0] === second) && !c.stems.includes(first === c.stems[1] ? second : first));
      const c = chain >= 0 ? (chosen[chain] as { stems: string[]; phrase: string }) : undefined;
      const merged =
        c === undefined
          ? undefined
          : c.stems[1] === first
            ? { stems: [...c.stems, second], phrase: `${c.phrase} ${words[1] as string}` }
            : { stems: [first, ...c.stems], phrase: `${words[0] as string} ${c.phrase}` };
      // Only a trigram the papers actually write: "latent reasoning" + "reasoning models" is not one.
      if (merged && occurs(merged.phrase)) {
        chosen[chain] = merged;
        // Unigrams the trigram now contains are redundant.
        chosen = chosen.filter((o) => o === merged || o.stems.length > 1 || !merged.stems.includes(o.stems[0] as string));
        continue;
      }
    }
    const absorbed = chosen.findIndex((c) => c.stems.length === 1 && stems.length > 1 && stems.includes(c.stems[0] as string));
    if (absorbed >= 0) {
      const replacement = { stems, phrase };
      chosen[absorbed] = replacement;
      // The bigram may contain a second chosen unigram too.
      chosen = chosen.filter((o) => o === replacement || o.stems.length > 1 || !stems.includes(o.stems[0] as string));
      continue;
    }
    const covered = new Set(chosen.flatMap((c) => c.stems));
    if (stems.every((s) => covered.has(s))) continue;
    chosen.push({ stems, phrase });
  }
  return chosen.map((c) => c.phrase);
}
