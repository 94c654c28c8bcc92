/**
 * Keyphrases as a reader sees them in a short list (the Atlas side pane's chips, a citation hover's
 * keyword line). The ranking keeps nested phrases on purpose — "Dense Passage Retrieval", "Passage
 * Retrieval" and "Retrieval" can all be right answers, and keeping them scores better on the keyphrase
 * benchmarks (see src/core/keywords/keyphraseScoring.ts) — but in a row of five chips they say one thing
 * three times. Here a phrase whose words all occur, adjacent and in order, inside another phrase of the
 * list is shown once: as the longest of them, in the place of the best-ranked one.
 */

function words(phrase: string): string[] {
  return phrase.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

/** True when `inner` occurs as a run of adjacent words in `outer` (equal lists count). */
function isInside(inner: readonly string[], outer: readonly string[]): boolean {
  for (let at = 0; at + inner.length <= outer.length; at++) {
    if (inner.every((w, i) => outer[at + i] === w)) return true;
  }
  return false;
}

/** `phrases` best first, without the ones nested in another of them; at most `max`. */
export function foldNestedPhrases(phrases: readonly string[], max = Number.POSITIVE_INFINITY): string[] {
  let shown: { text: string; words: string[] }[] = [];
  for (const text of phrases) {
    const w = words(text);
    if (w.length === 0 || shown.some((s) => isInside(w, s.words))) continue;
    const first = shown.findIndex((s) => isInside(s.words, w));
    if (first < 0) {
      shown.push({ text, words: w });
      continue;
    }
    shown[first] = { text, words: w };
    shown = shown.filter((s, i) => i === first || !isInside(s.words, w));
  }
  return shown.slice(0, max).map((s) => s.text);
}
