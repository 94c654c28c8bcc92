/**
 * "Papers that support this text": the engine's hybrid text search (vectors fused with a full-text
 * more-like-this, `relatedToText`) plus a reason a writer can check at a glance, the keyphrases the
 * text and the paper's title and abstract share. The reason is lexical on purpose: it is cheap (no
 * model run per suggestion) and a reader can verify it, where "cosine 0.71" says nothing. The CLI
 * (`paper-atlas cite`) and the editor's citation completion both go through `suggestCitations`.
 */
import { candidatePhrases } from '../keywords/candidatePhrases';
import { splitWords } from '../keywords/wordSpans';
import type { Paper } from '../../shared/paper';
import type { SearchHit } from '../../shared/engineProtocol';

/** Shared keyphrases shown per suggestion: enough to judge, short enough for one completion line. */
export const MAX_REASON_PHRASES = 4;

export interface CitationSuggestion {
  id: string;
  title: string;
  score: number;
  /** The shared keyphrases, paper's wording, longest first, joined by ", "; '' when none is shared. */
  reason: string;
}

/** What suggestions need from the engine; EngineClient is one. */
export interface CitationSource {
  relatedToText(params: { text: string; k: number }): Promise<SearchHit[]>;
  papers(ids: string[]): Promise<Paper[]>;
}

/**
 * Keyphrase candidates (1–3 terms, no stop-word at either edge, see candidatePhrases.ts) of the
 * paper that also occur in the text, matched by stemmed key so "networks" meets "network". Longest
 * first, and no word twice: "attention" is not repeated under "attention mechanisms", and overlapping
 * windows of a shared sentence do not fill the reason.
 */
export function sharedKeyphrases(text: string, paperText: string, max = MAX_REASON_PHRASES): string[] {
  if (max <= 0) return [];
  const textKeys = new Set(candidatePhrases(text, splitWords(text)).candidates.map((c) => c.key));
  const found = new Map<string, { phrase: string; terms: number; order: number }>();
  const { candidates } = candidatePhrases(paperText, splitWords(paperText));
  candidates.forEach((c, order) => {
    if (!textKeys.has(c.key) || found.has(c.key)) return;
    found.set(c.key, { phrase: c.text, terms: c.lastTerm - c.firstTerm + 1, order });
  });
  const byLength = [...found.entries()].sort((a, b) => b[1].terms - a[1].terms || a[1].order - b[1].order);
  const chosen: string[] = [];
  const usedStems = new Set<string>();
  for (const [key, v] of byLength) {
    if (chosen.length >= max) break;
    // Each stem once: a copied sentence shares every window of it ("a b c", "b c d", …), and a
    // reason that repeats words tells the reader nothing more. Shorter phrases inside a longer one go too.
    const stems = key.split(' ');
    if (stems.some((t) => usedStems.has(t))) continue;
    for (const t of stems) usedStems.add(t);
    chosen.push(v.phrase);
  }
  return chosen;
}

/** The text a paper is compared on: what a reader sees first, title then abstract. */
export function paperReasonText(paper: Pick<Paper, 'title' | 'abstract'>): string {
  return paper.abstract ? `${paper.title}. ${paper.abstract}` : paper.title;
}

export async function suggestCitations(source: CitationSource, text: string, k: number): Promise<CitationSuggestion[]> {
  const hits = await source.relatedToText({ text, k });
  if (hits.length === 0) return [];
  const papers = new Map((await source.papers(hits.map((h) => h.id))).map((p) => [p.id, p]));
  return hits.map((h) => {
    const paper = papers.get(h.id);
    return { id: h.id, title: h.title, score: h.score, reason: paper ? sharedKeyphrases(text, paperReasonText(paper)).join(', ') : '' };
  });
}
