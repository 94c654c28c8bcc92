/**
 * The two rankings of citation completion. With a typed prefix, papers whose key, an author's family
 * name or a title word starts with it (key before author before title, then newest first); without
 * one, the meaning of the paragraph around the cursor decides (the engine's relatedToText), and this
 * module only cuts that paragraph out of the document and strips the markup that would add noise.
 */
import { familyName } from '../authorName';

export interface PrefixCandidate {
  id: string;
  title: string;
  authors: readonly string[];
  year?: number;
}

export type PrefixMatch = 'key' | 'author' | 'title';

const MATCH_RANK: Record<PrefixMatch, number> = { key: 0, author: 1, title: 2 };

interface PrefixRow<T> {
  paper: T;
  key: string;
  authorWords: string[];
  titleWords: string[];
}

function prefixRow<T extends PrefixCandidate>(paper: T): PrefixRow<T> {
  const authorWords = new Set<string>();
  for (const a of paper.authors) {
    authorWords.add(fold(familyName(a)));
    for (const w of words(a)) authorWords.add(w);
  }
  return { paper, key: fold(paper.id), authorWords: [...authorWords], titleWords: words(paper.title) };
}

function rowMatch(row: PrefixRow<unknown>, p: string): PrefixMatch | undefined {
  if (p === '') return undefined;
  if (row.key.startsWith(p)) return 'key';
  if (row.authorWords.some((w) => w.startsWith(p))) return 'author';
  if (row.titleWords.some((w) => w.startsWith(p))) return 'title';
  return undefined;
}

/** How `prefix` matches the paper, best first; undefined when it does not. Case- and accent-insensitive. */
export function prefixMatch(paper: PrefixCandidate, prefix: string): PrefixMatch | undefined {
  return rowMatch(prefixRow(paper), fold(prefix));
}

/**
 * The library folded once for prefix ranking: accent-folding and splitting every author and title
 * on each keystroke cost 100–600 ms at 10k papers (arXiv papers list many authors) on the extension
 * host's thread; with the words folded in advance a keystroke is a pass of startsWith. Build it again
 * when the library changes.
 */
export class PrefixIndex<T extends PrefixCandidate> {
  private readonly rows: PrefixRow<T>[];

  constructor(papers: Iterable<T>) {
    this.rows = [];
    for (const p of papers) this.rows.push(prefixRow(p));
  }

  get size(): number {
    return this.rows.length;
  }

  /** Papers matching `prefix`, best first (key, author, title; then newest; then by key), at most `limit`. */
  rank(prefix: string, limit: number): { paper: T; match: PrefixMatch }[] {
    const p = fold(prefix);
    const found: { paper: T; match: PrefixMatch }[] = [];
    for (const row of this.rows) {
      const match = rowMatch(row, p);
      if (match) found.push({ paper: row.paper, match });
    }
    found.sort((a, b) => MATCH_RANK[a.match] - MATCH_RANK[b.match] || (b.paper.year ?? 0) - (a.paper.year ?? 0) || a.paper.id.localeCompare(b.paper.id));
    return found.slice(0, limit);
  }
}

/** Papers matching `prefix`, best first, at most `limit` (folds the papers on each call: PrefixIndex for a library). */
export function rankByPrefix<T extends PrefixCandidate>(papers: Iterable<T>, prefix: string, limit: number): { paper: T; match: PrefixMatch }[] {
  return new PrefixIndex(papers).rank(prefix, limit);
}

function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

function words(text: string): string[] {
  return fold(text).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

/** The encoder reads 512 pieces at most; a paragraph longer than this is cut around the cursor. */
export const MAX_CONTEXT_CHARS = 2000;

/**
 * The paragraph around `line` (bounded by blank lines or LaTeX paragraph commands), with citations,
 * LaTeX commands and Markdown markup removed so that the text that is left is the prose being written.
 * When it is too long, the part around the cursor's line is kept.
 */
export function paragraphAround(lines: readonly string[], line: number): string {
  const { first, last } = paragraphBounds(lines, line);
  const cursorLine = Math.min(Math.max(line, 0), lines.length - 1);
  // LaTeX comments end at the line's end, so they go before the lines are joined.
  const take = (from: number, to: number): string => proseOf(lines.slice(from, to + 1).map(withoutTexComment).join(' '));
  let text = take(first, last);
  if (text.length > MAX_CONTEXT_CHARS) {
    // Around the cursor: the sentence being written matters most.
    const before = take(first, cursorLine);
    const start = Math.max(0, before.length - MAX_CONTEXT_CHARS / 2);
    text = text.slice(start, start + MAX_CONTEXT_CHARS);
  }
  return text;
}

function withoutTexComment(line: string): string {
  return line.replace(/(?<!\\)%.*$/, '');
}

/** A blank line, a heading or a LaTeX sectioning or environment line: no prose of a paragraph. */
export function isParagraphBreak(l: string | undefined): boolean {
  return l === undefined || /^\s*$/.test(l) || /^\s*\\(?:section|subsection|paragraph|begin|end)\b/.test(l) || /^\s*#/.test(l);
}

/** The lines (inclusive) of the paragraph around `line`: bounded by blank lines, headings and LaTeX sectioning or environments. */
export function paragraphBounds(lines: readonly string[], line: number): { first: number; last: number } {
  let first = line;
  while (first > 0 && !isParagraphBreak(lines[first - 1])) first--;
  let last = line;
  while (last + 1 < lines.length && !isParagraphBreak(lines[last + 1])) last++;
  return { first, last };
}

/** Prose only: citations, LaTeX commands, Markdown links and emphasis markers removed. */
export function proseOf(text: string): string {
  return text
    // Keys hold no spaces (only after a comma), so a brace left open at the cursor does not eat the prose after it.
    .replace(/\\[a-zA-Z]*cite[a-zA-Z]*\*?(?:\[[^\]]*\]){0,2}\{(?:[^}\s,]|,\s*)*\}?/g, ' ')
    .replace(/\[\[@[^\]]*\]?\]?/g, ' ')
    .replace(/\[[^\]]*@[^\]]*\]?/g, ' ')
    // Pandoc: inner punctuation belongs to the key, a trailing full stop ends the sentence.
    .replace(/(^|[\s(;,])-?@(?:[\w:.#$%&+?<>~/-]*\w)?/g, '$1')
    .replace(/\\[a-zA-Z]+\*?/g, ' ')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[{}*_`#>~]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
