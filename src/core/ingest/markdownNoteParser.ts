/**
 * Markdown literature notes: one paper per note, described by YAML front matter as the Zotero
 * Integration and Obsidian citation templates write it (citekey, title, authors, year, doi, tags…).
 * The abstract comes from the front matter or, failing that, from an "Abstract" section of the body.
 *
 * A Markdown file is a paper only when its front matter says so: a title plus a citation key, DOI,
 * arXiv id, abstract or authors. Failing that it may be a pasted paper list, in the shape of a Daily
 * Papers page (a title line, a blank line, an abstract paragraph, at least MIN_LIST_PAPERS times,
 * titles that are not Markdown headings). Anything else is a note (a diary entry, a README, a page
 * of headings and paragraphs) and yields nothing, silently: notes are where citations are read
 * (hovers), not papers.
 */
import { load } from 'js-yaml';
import type { ParseResult } from '../../shared/paper';
import { buildPaper, cleanText, isRecord, parseYear, splitAuthorList, stringField } from './paperRecord';
import { parsePastedListText } from './pastedListParser';

/** Title–abstract pairs a Markdown file needs to be read as a pasted paper list. */
const MIN_LIST_PAPERS = 3;

/** The body as a pasted paper list, or nothing when it does not have that shape. */
function pastedList(text: string, file: string, lineOffset = 0): ParseResult {
  const list = parsePastedListText(text, file, lineOffset, { headingTitles: false });
  return list.papers.length >= MIN_LIST_PAPERS ? list : { papers: [], diagnostics: [] };
}

const FRONT_MATTER = /^\uFEFF?---[ \t]*\r?\n([\s\S]*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/;

function pick(meta: Record<string, unknown>, ...names: string[]): unknown {
  // Templates disagree on case ("DOI", "Title"); keys are matched case-insensitively.
  const lower = new Map(Object.entries(meta).map(([k, v]) => [k.toLowerCase(), v]));
  for (const name of names) {
    const v = lower.get(name.toLowerCase());
    if (v !== undefined && v !== null && v !== '') return v;
  }
  return undefined;
}

/** Obsidian writes people as links ("[[Vaswani, Ashish]]"); a lone "Family, Given" is turned around. */
function noteAuthor(raw: string): string {
  const name = raw.trim().replace(/^\[\[(?:[^|\]]*\|)?([^\]]*)\]\]$/, '$1').trim();
  return name.replace(/^([^,]+),\s*([^,]+)$/, '$2 $1');
}

function authorsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.map((v) => noteAuthor(stringField(v) ?? '')).filter((a) => a !== '');
  const text = stringField(value);
  return text === undefined ? [] : splitAuthorList(text).map(noteAuthor);
}

function tagsOf(value: unknown): string[] {
  const list = Array.isArray(value) ? value.map(stringField) : (stringField(value) ?? '').split(/[,\s]+/);
  return list.filter((t): t is string => t !== undefined && t.trim() !== '').map((t) => t.trim().replace(/^#/, ''));
}

/**
 * The abstract written in the body: the paragraph(s) under an "Abstract" heading (up to the next
 * heading), or an Obsidian "> [!abstract]" callout, as the Zotero Integration templates write it.
 */
function abstractSection(body: string): string | undefined {
  const heading = /^#{1,6}[ \t]*abstract[ \t]*:?[ \t]*$([\s\S]*?)(?=^#{1,6}[ \t]|(?![\s\S]))/im.exec(body);
  const callout = /^>[ \t]*\[!abstract\][^\n]*\n((?:>.*(?:\n|$))*)/im.exec(body);
  const text = (heading?.[1] ?? callout?.[1])?.replace(/^>[ \t]?/gm, '');
  return text === undefined || cleanText(text) === '' ? undefined : text;
}

/** Reads one Markdown file: a literature note, a pasted list, or nothing. Never throws. */
export function parseMarkdownNoteText(text: string, file: string): ParseResult {
  const fm = FRONT_MATTER.exec(text);
  if (!fm) return pastedList(text, file);
  const bodyOffset = fm[0].split('\n').length - 1;
  const body = text.slice(fm[0].length);
  let meta: unknown;
  try {
    meta = load(fm[1] ?? '');
  } catch (e) {
    const line = /line (\d+)/.exec(String(e))?.[1];
    return {
      papers: [],
      diagnostics: [{ file, line: line === undefined ? 1 : Number(line) + 1, severity: 'error', message: `front matter is not valid YAML: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` }],
    };
  }
  if (!isRecord(meta)) return pastedList(body, file, bodyOffset);
  const title = stringField(pick(meta, 'title'));
  const key = stringField(pick(meta, 'citekey', 'citationKey', 'citation-key', 'citation_key'));
  // Any Obsidian note may have a title, a year, a URL; a paper's own fields make it a paper.
  const paperFields = key !== undefined || pick(meta, 'doi', 'arxiv', 'arxivId', 'eprint', 'abstract', 'abstractNote', 'authors', 'author', 'creators') !== undefined;
  if (title === undefined || cleanText(title) === '' || !paperFields) {
    if (key === undefined) return pastedList(body, file, bodyOffset);
    return { papers: [], diagnostics: [{ file, line: 1, severity: 'warning', message: 'note has a citation key but no title; not read as a paper' }] };
  }
  const abstract = stringField(pick(meta, 'abstract', 'abstractNote', 'summary')) ?? abstractSection(body) ?? '';
  const paper = buildPaper(
    {
      id: key,
      title,
      abstract,
      authors: authorsOf(pick(meta, 'authors', 'author', 'creators')),
      year: yearOf(pick(meta, 'year')) ?? yearOf(pick(meta, 'date', 'published', 'issued')),
      venue: stringField(pick(meta, 'venue', 'journal', 'publication', 'publicationTitle', 'container-title')),
      doi: stringField(pick(meta, 'doi')),
      url: stringField(pick(meta, 'url')),
      arxivId: stringField(pick(meta, 'arxiv', 'arxivId', 'eprint')),
      keywords: tagsOf(pick(meta, 'tags', 'keywords')),
    },
    { file, line: 1 },
  );
  return { papers: [paper], diagnostics: [] };
}

/** YAML may turn an unquoted 2020-05-01 into a Date; 2020 into a number. */
function yearOf(value: unknown): number | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getUTCFullYear();
  return parseYear(value);
}
