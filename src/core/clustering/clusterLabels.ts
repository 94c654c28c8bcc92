/**
 * Cluster labels by class-based TF-IDF (c-TF-IDF, as in BERTopic): all papers of a cluster are one
 * document; a phrase scores tf_c(t) · log(1 + A / f(t)), where tf_c is its frequency in the cluster
 * (normalised by the cluster's length), f(t) its frequency over all clusters and A the average
 * number of words per cluster. Phrases common everywhere ("we propose", "results") sink; phrases a
 * cluster uses much more than the others rise.
 */

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

const SEGMENT_BREAK = /[.,;:!?()[\]{}"“”‘’]|\s['`]|['`]\s/;
const TOKEN = /[a-z0-9][a-z0-9+-]*[a-z0-9+]|[a-z]/g;

/**
 * Unigrams and bigrams of a text, in order. Bigrams never cross punctuation or a stop word, so they
 * are phrases a reader would recognise ("image editing"), not accidents ("editing we").
 */
export function textPhrases(text: string): string[] {
  const phrases: string[] = [];
  for (const segment of text.toLowerCase().split(SEGMENT_BREAK)) {
    let previous: string | undefined;
    for (const match of segment.matchAll(TOKEN)) {
      const token = match[0];
      if (token.length < 2 || STOP_WORDS.has(token) || !/[a-z]/.test(token)) {
        previous = undefined;
        continue;
      }
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
 */
export function clusterLabels(texts: readonly string[], assignments: ArrayLike<number>, k: number, options: ClusterLabelOptions = {}): ClusterTerms[] {
  const labelTerms = options.labelTerms ?? 3;
  const keywordCount = options.keywords ?? 10;
  const counts: Array<Map<string, number>> = Array.from({ length: k }, () => new Map());
  const words = new Float64Array(k);
  const docs = new Int32Array(k);
  const members: number[][] = Array.from({ length: k }, () => []);
  texts.forEach((text, i) => {
    const c = assignments[i] as number;
    if (c < 0 || c >= k) return;
    members[c]?.push(i);
    const map = counts[c] as Map<string, number>;
    docs[c] = (docs[c] as number) + 1;
    for (const phrase of textPhrases(text)) {
      map.set(phrase, (map.get(phrase) ?? 0) + 1);
      if (!phrase.includes(' ')) words[c] = (words[c] as number) + 1;
    }
  });
  const overall = new Map<string, number>();
  for (const map of counts) for (const [t, f] of map) overall.set(t, (overall.get(t) ?? 0) + f);
  let totalWords = 0;
  for (const w of words) totalWords += w;
  const avgWords = Math.max(1, totalWords / Math.max(1, k));

  return counts.map((map, c) => {
    const length = Math.max(1, words[c] as number);
    // A phrase seen once in a cluster of several papers is one paper's quirk, not the cluster's topic.
    const minCount = (docs[c] as number) >= 3 ? 2 : 1;
    const scored: Array<{ phrase: string; score: number }> = [];
    for (const [phrase, f] of map) {
      if (f < minCount) continue;
      const score = (f / length) * Math.log(1 + avgWords / (overall.get(phrase) ?? f));
      scored.push({ phrase, score });
    }
    scored.sort((p, q) => q.score - p.score || (p.phrase < q.phrase ? -1 : 1));
    const occurs = (phrase: string): boolean => {
      let seen = 0;
      for (const i of members[c] ?? []) if (normalised(texts[i] as string).includes(phrase) && ++seen >= minCount) return true;
      return false;
    };
    const keywords = distinctPhrases(scored.map((s) => s.phrase), keywordCount, occurs);
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
