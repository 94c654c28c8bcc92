/**
 * The Markdown of a citation hover, as a string: title, authors, topic, keywords, the paper's own
 * actions and related work as command links. Every piece of paper text is library input, so it goes
 * through `markdownText`/`markdownLink` (src/core/displayText.ts) and every command argument through
 * `commandUri`; a title with `$(verified)`, `"` or `](command:…)` or an id with `)` stays text and
 * cannot break, add or redirect a link. Kept free of `vscode` so the escaping is unit-tested on the
 * exact string the hover shows.
 */
import { markdownLink, markdownText } from '../../core/displayText';
import { commandUri } from '../commands/commandTable';

const TITLE_MAX = 72;

export const HOVER_COMMANDS = ['paperAtlas.openInAtlas', 'paperAtlas.goToSource', 'paperAtlas.showRelatedWork'];

export interface HoverPaper {
  id: string;
  title: string;
  authors: readonly string[];
  year?: number;
  venue?: string;
}

export interface HoverRelated {
  id: string;
  title: string;
  /** `authors · year` (or the file name), plain text. */
  description: string;
}

export interface HoverContent {
  paper: HoverPaper;
  topic?: string;
  keywords: readonly string[];
  /** Undefined: the engine did not answer in time. */
  related: readonly HoverRelated[] | undefined;
}

function shorten(t: string): string {
  return t.length > TITLE_MAX ? `${t.slice(0, TITLE_MAX - 1).replace(/\s+\S*$/, '')}…` : t;
}

/** Markdown for a MarkdownString with `supportThemeIcons` and the trusted commands of HOVER_COMMANDS. */
export function hoverMarkdown({ paper, topic, keywords, related }: HoverContent): string {
  const parts: string[] = [];
  parts.push(`**${markdownText(paper.title)}**\n\n`);
  parts.push(`${markdownText(paper.authors.join(', ') || 'Unknown authors')}${paper.year !== undefined ? ` · ${paper.year}` : ''}${paper.venue ? ` · *${markdownText(paper.venue)}*` : ''}\n\n`);
  if (topic) parts.push(`$(tag) ${markdownText(topic)}\n\n`);
  // Plain escaped text, not code spans: inside a code span no escape works, and `$(…)` would still render.
  if (keywords.length > 0) parts.push(`$(symbol-keyword) ${keywords.map((k) => `*${markdownText(k)}*`).join(' · ')}\n\n`);
  parts.push(`${markdownLink('$(globe) Open in Atlas', commandUri('openInAtlas', [paper.id]))} · ${markdownLink('$(go-to-file) Go to source', commandUri('goToSource', [paper.id]))}\n\n`);
  if (related === undefined) {
    parts.push('*Related work is not available right now.*');
  } else if (related.length > 0) {
    parts.push('**Related work**\n\n');
    for (const hit of related) {
      const open = markdownLink(markdownText(shorten(hit.title)), commandUri('openInAtlas', [hit.id]), `${hit.title} — open in Atlas`);
      const source = markdownLink('$(go-to-file)', commandUri('goToSource', [hit.id]), 'Go to source');
      parts.push(`- ${open} ${hit.description ? `· ${markdownText(hit.description)} ` : ''}${source}\n`);
    }
  }
  return parts.join('');
}
