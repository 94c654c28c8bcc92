/**
 * Paper lists pasted from web pages ("Daily Papers", reading lists) into .txt or .md files: a title
 * line, a blank line, an abstract paragraph, repeated, with page furniture ("Subscribe", dates, menu
 * items) mixed in.
 *
 * The rule, not tied to any one site: a title is a block of one short line that does not end with a
 * full stop and is followed by a long paragraph; that paragraph is its abstract. Anything else is
 * furniture: short lines with no paragraph after them are skipped, as are paragraphs with no title.
 */
import type { IngestDiagnostic, Paper, ParseResult } from '../../shared/paper';
import { assignUniqueIds, buildPaper, cleanText, limitDiagnostics } from './paperRecord';

const MAX_TITLE_CHARS = 300;
// A title line with its Markdown: a link's URL may be long.
const MAX_TITLE_LINE_CHARS = 2000;
// An abstract is a paragraph, not a caption: at least this many characters and words.
const MIN_ABSTRACT_CHARS = 150;
const MIN_ABSTRACT_WORDS = 20;

interface Block {
  line: number;
  lines: string[];
}

function blocks(text: string): Block[] {
  const out: Block[] = [];
  let current: Block | undefined;
  text
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\r|\n/)
    .forEach((raw, i) => {
      if (raw.trim() === '') {
        current = undefined;
        return;
      }
      if (!current) {
        current = { line: i + 1, lines: [] };
        out.push(current);
      }
      current.lines.push(raw);
    });
  return out;
}

/** Markdown around a title ("## ", "1. ", "- ", "**…**", "[…](url)") is not part of it. */
function titleLine(raw: string): { title: string; url?: string } {
  let t = raw
    .trim()
    .replace(/^#{1,6}\s+/, '')
    .replace(/^(?:[-*+]|\d+[.)])\s+/, '')
    .trim();
  let url: string | undefined;
  const link = /^\[(.+)\]\((\S+?)\)$/.exec(t);
  if (link?.[1] && link[2]) {
    t = link[1];
    url = link[2];
  }
  t = t.replace(/^(\*\*|__)(.+)\1$/, '$2').trim();
  return url === undefined ? { title: t } : { title: t, url };
}

export interface PastedListOptions {
  /**
   * Whether a Markdown heading ("## …") over a paragraph may be a paper's title. In a .txt paste it
   * is; in a Markdown file it is how any note is written (a README, "## Open questions" and its
   * paragraph), so the Markdown reader turns it off.
   */
  headingTitles?: boolean;
}

const HEADING = /^ {0,3}#{1,6}(?:[ \t]|$)/;

function isTitleBlock(block: Block, options: PastedListOptions): boolean {
  // A longer line is no title even with Markdown around it; and the link pattern in titleLine
  // backtracks quadratically on a long line of "](" pairs.
  if (block.lines.length !== 1 || (block.lines[0] ?? '').length > MAX_TITLE_LINE_CHARS) return false;
  if (options.headingTitles === false && HEADING.test(block.lines[0] ?? '')) return false;
  const { title } = titleLine(block.lines[0] ?? '');
  return title !== '' && title.length <= MAX_TITLE_CHARS && !/\.$/.test(title);
}

function isAbstractBlock(block: Block): boolean {
  const text = cleanText(block.lines.join(' '));
  return text.length >= MIN_ABSTRACT_CHARS && text.split(' ').length >= MIN_ABSTRACT_WORDS;
}

/**
 * Reads a pasted list. `lineOffset` is added to line numbers when the text is the body of a larger
 * file (a Markdown note below its front matter).
 */
export function parsePastedListText(text: string, file: string, lineOffset = 0, options: PastedListOptions = {}): ParseResult {
  const papers: Paper[] = [];
  const diagnostics: IngestDiagnostic[] = [];
  const bs = blocks(text);
  for (let i = 0; i < bs.length; i++) {
    const block = bs[i];
    const next = bs[i + 1];
    if (block === undefined) break;
    if (isTitleBlock(block, options) && next !== undefined && isAbstractBlock(next)) {
      const { title, url } = titleLine(block.lines[0] ?? '');
      papers.push(buildPaper({ title, abstract: next.lines.join(' '), url }, { file, line: block.line + lineOffset }));
      i++;
    } else if (isAbstractBlock(block)) {
      diagnostics.push({ file, line: block.line + lineOffset, severity: 'info', message: 'paragraph with no title line above it; ignored' });
    }
  }
  assignUniqueIds(papers, diagnostics);
  return { papers, diagnostics: limitDiagnostics(diagnostics, file) };
}
