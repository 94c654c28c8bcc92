/**
 * What "Show Keyword Highlights" reads and shows, as pure functions (unit-tested without VS Code):
 * the paragraph under the cursor, the text with citation syntax blanked out, and the keyword list.
 */
import type { KeywordSpan } from '../../shared/engineProtocol';
import { scanCitations } from '../hover/citationScanner';

/** Lines that end a paragraph besides blank ones: Markdown headings, front-matter fences, code fences. */
const BOUNDARY = /^\s*(#{1,6}\s|---\s*$|```|~~~)/;

/**
 * The paragraph containing `line` (inclusive line numbers), or undefined when the line is blank or a
 * boundary itself: a cursor between two paragraphs belongs to neither.
 */
export function paragraphAround(lines: readonly string[], line: number): { start: number; end: number } | undefined {
  const isText = (i: number): boolean => {
    const t = lines[i];
    return t !== undefined && t.trim() !== '' && !BOUNDARY.test(t);
  };
  if (!isText(line)) {
    // A heading is a paragraph of its own.
    return lines[line] !== undefined && /^\s*#{1,6}\s+\S/.test(lines[line]) ? { start: line, end: line } : undefined;
  }
  let start = line;
  let end = line;
  while (start > 0 && isText(start - 1)) start--;
  while (end < lines.length - 1 && isText(end + 1)) end++;
  return { start, end };
}

const WHOLE_CITATIONS = [
  // \cite{a,b}, \citep[p. 3]{a}, \autocite…, \nocite
  /\\(?:[a-zA-Z]*cite[a-zA-Z]*|nocite)\*?(?:\[[^\]]*\]){0,2}\{[^}]*\}/g,
  // Obsidian [[@key]] and [[@key|alias]]
  /\[\[@[^\]]*\]\]/g,
  // Pandoc [@a; @b, p. 3] and [see -@a]
  /\[[^[\]]*-?@[A-Za-z0-9_][^[\]]*\]/g,
];

/**
 * `text` with citation syntax (keys, \cite commands, [[@…]], [@…], DOIs, arXiv ids) replaced by spaces:
 * the keyword model then neither scores nor highlights it, and offsets into the text stay valid.
 */
export function maskCitations(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const out = line.split('');
      const blank = (start: number, end: number): void => {
        for (let i = Math.max(0, start); i < Math.min(out.length, end); i++) out[i] = ' ';
      };
      for (const re of WHOLE_CITATIONS) {
        re.lastIndex = 0;
        for (let m = re.exec(line); m; m = re.exec(line)) blank(m.index, m.index + m[0].length);
      }
      for (const t of scanCitations(line)) {
        const marker = t.kind === 'key' && line[t.start - 1] === '@' ? (line[t.start - 2] === '-' ? 2 : 1) : 0;
        blank(t.start - marker, t.end);
      }
      return out.join('');
    })
    .join('\n');
}

/** The ranked keyword list for a hover: best first, with scores, `current` in bold. */
export function keywordListMarkdown(top: readonly Pick<KeywordSpan, 'text' | 'score'>[], escape: (s: string) => string, current?: string): string {
  if (top.length === 0) return 'No keywords found in this paragraph.';
  const rows = top.map((k, i) => {
    const name = escape(k.text);
    return `${i + 1}. ${k.text === current ? `**${name}**` : name} — ${k.score.toFixed(2)}`;
  });
  return `**Keywords of this paragraph**, most surprising to the language model first:\n\n${rows.join('\n')}`;
}

/** The one-line summary shown after the paragraph. */
export function keywordSummary(top: readonly Pick<KeywordSpan, 'text'>[], max = 6): string {
  const names = top.slice(0, max).map((k) => k.text);
  return names.length === 0 ? 'no keywords' : `keywords: ${names.join(' · ')}${top.length > max ? ' …' : ''}`;
}
