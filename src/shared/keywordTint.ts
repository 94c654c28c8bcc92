/**
 * The heat-map's tint rule, shared by the panel (webview) and the editor decorations (host), so the
 * two never disagree. The engine sends spans only for content words (nouns, and the words of its top
 * phrases: see src/core/keywords/keyphraseScoring.ts `heatSpans`); function words, connectives,
 * adverbs and verbs have no span and are never tinted. Of the spans, only the strongest are tinted,
 * at most `MAX_TINTED_SHARE` of the text's words, with a level in proportion to the score: the
 * weakest tinted word gets `MIN_TINT`, the strongest 1. A heat-map that tints half the words
 * says nothing about any of them.
 */

export const MAX_TINTED_SHARE = 0.15;
/** The faintest tint still shown: below it a tint is not visible in high-contrast themes. */
export const MIN_TINT = 0.3;

export interface TintSpan {
  start: number;
  end: number;
  score: number;
}

export interface TintedSpan {
  start: number;
  end: number;
  /** (0, 1]: how strong the tint is. */
  level: number;
}

/** Words as a reader counts them: whitespace-separated runs with a letter or digit, from `from` on. */
export function countWords(text: string, from = 0): number {
  let n = 0;
  for (const w of text.slice(from).split(/\s+/)) if (/[\p{L}\p{N}]/u.test(w)) n++;
  return n;
}

/**
 * Which spans to tint and how strongly, in text order. At most floor(share × words) spans (at least
 * one when there is any span), the highest scores first; ties keep text order. Spans that overlap a
 * kept one or fall outside [from, textLength] are dropped.
 */
export function tintLevels(spans: readonly TintSpan[], words: number, textLength: number, from = 0, share = MAX_TINTED_SHARE): TintedSpan[] {
  const valid = spans.filter((s) => s.start >= from && s.end <= textLength && s.end > s.start && Number.isFinite(s.score));
  const budget = Math.max(valid.length > 0 ? 1 : 0, Math.floor(share * words));
  const byScore = [...valid].sort((a, b) => b.score - a.score || a.start - b.start);
  const kept: TintSpan[] = [];
  for (const s of byScore) {
    if (kept.length >= budget) break;
    if (kept.some((k) => s.start < k.end && k.start < s.end)) continue;
    kept.push(s);
  }
  if (kept.length === 0) return [];
  const max = kept[0]!.score;
  const min = kept[kept.length - 1]!.score;
  const range = max - min;
  return kept
    .map((s) => ({ start: s.start, end: s.end, level: range > 1e-9 ? MIN_TINT + (1 - MIN_TINT) * ((s.score - min) / range) : 1 }))
    .sort((a, b) => a.start - b.start);
}
