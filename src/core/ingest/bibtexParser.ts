/**
 * BibTeX / BibLaTeX files, read with @retorquere/bibtex-parser (the parser behind Better BibTeX), which
 * turns LaTeX into Unicode ({\"o} → ö, -- → –, braces stripped) and parses names.
 *
 * The file is cut into one chunk per entry (at each line that starts with "@type{" or "@type(") and
 * every chunk is parsed on its own. The library recovers from a broken entry by skipping to the next
 * "@", but an unbalanced brace can make one entry swallow the entries after it, and its errors do not
 * say which entry they belong to. Chunking bounds the damage to the broken entry, gives each entry its
 * exact line, and ties every error to one entry.
 */
import { parse as parseBibtex, type Creator, type Entry, type Library } from '@retorquere/bibtex-parser';
import type { IngestDiagnostic, Paper, ParseResult } from '../../shared/paper';
import { displayName, isGenerationalSuffix } from '../authorName';
import { assignUniqueIds, buildPaper, cleanText, LineIndex, limitDiagnostics, parseYear } from './paperRecord';

// Invisible characters before the "@" do not stop a line from starting an entry: a byte-order mark
// left where two exported files were joined, a control character, or the U+FFFD an invalid byte
// was decoded to.
const ENTRY_START = /^[ \t\f\v\u0000-\u0008\u000e-\u001f\u007f\u00a0\u200b-\u200d\u2060\ufeff\ufffd]*@[ \t]*([A-Za-z][\w-]*)[ \t]*[{(]/gm;
const NON_PAPERS = new Set(['string', 'preamble', 'comment']);

// Fields this module reads. Other fields (file paths, Papers3 URIs, timestamps…) are the bulk of many
// exports, and LaTeX-parsing them doubled the time to read a 3.5 MB Papers3 file.
const USED_FIELDS = new Set([
  'title', 'abstract', 'author', 'editor', 'year', 'date', 'journal', 'journaltitle', 'booktitle',
  'doi', 'url', 'eprint', 'eprinttype', 'archiveprefix', 'arxivid', 'keywords', 'crossref',
]);
// Used fields whose value, when free of LaTeX, is taken as written instead of through the library.
// Most abstracts are plain text, and LaTeX-parsing them was most of the remaining time. Names always
// go through the library, whose name parser gives the von part, last name and suffix.
const PLAIN_FIELDS = new Set([
  'title', 'abstract', 'journal', 'journaltitle', 'booktitle', 'year', 'date', 'doi',
  'url', 'eprint', 'eprinttype', 'archiveprefix', 'arxivid',
]);
// Anything the library would change: commands, groups, math, ties, comments, specials, ligatures.
const LATEX_SIGNIFICANT = /[\\{}$~%&#^_`<>]|--|''/;
// A field whose value is taken as written (`[\w-]*url[\w-]*` as a pattern backtracked quadratically
// on a long word).
const FIELD_NAME_LINE = /^[ \t]*([\w-]+)[ \t]*=/;
const VERBATIM_FIELD_NAME = /^(?:url|doi|eprint|file|pdf)$|url/i;
// A whole line holding one simple field: `name = {value},`, `name = "value",` or `name = 2014,`. (The
// trailing `[ \t]*(?:,[ \t]*)?` cannot share spaces between two runs: `[ \t]*,?[ \t]*` made a long run
// of spaces quadratic.)
const SIMPLE_FIELD_LINE = /^[ \t]*([A-Za-z][\w:.+-]*)[ \t]*=[ \t]*(?:\{([^{}\n]*)\}|"([^"{}\n]*)"|([\w.:/-]+))[ \t]*(?:,[ \t]*)?$/;

interface Chunk {
  type: string;
  start: number;
  line: number;
  text: string;
  /** Just past the bracket that closes the entry within this chunk, relative to `text`; -1 if none. */
  close: number;
}

/**
 * An "@type{" or "@type(" anywhere in the text: where BibTeX may start an entry. Found in one pass
 * with the bracket that closes each, so cutting the file into entries is linear: the chunk-by-chunk
 * search for the closing bracket it replaces scanned the rest of a line again for every entry on it
 * (a line of 80,000 "@a{" took minutes).
 */
interface EntryCandidate {
  /** The "@". */
  at: number;
  type: string;
  /** The "{" or "(". */
  open: number;
  /** Just past the bracket that closes it, or -1 when the text never closes it. */
  close: number;
  /** The last "%" before the "@" on its line, or -1: from there on the line is a comment. */
  lastPercent: number;
}

const ENTRY_CANDIDATE = /@[ \t]*([A-Za-z][\w-]*)[ \t]*[{(]/g;

function scanEntryCandidates(text: string): EntryCandidate[] {
  const candidates: EntryCandidate[] = [];
  const byOpen = new Map<number, EntryCandidate>();
  for (const m of text.matchAll(ENTRY_CANDIDATE)) {
    const c = { at: m.index, type: (m[1] ?? '').toLowerCase(), open: m.index + m[0].length - 1, close: -1, lastPercent: -1 };
    candidates.push(c);
    byOpen.set(c.open, c);
  }
  if (candidates.length === 0) return candidates;
  // Brackets are matched as closingBracket counts them from an entry's opening bracket: a "\\"
  // escapes the next character; in a braced entry only braces count; in a parenthesised one,
  // parentheses at the brace depth of its "(" (one stack of them per depth).
  const braces: number[] = [];
  const parens = new Map<number, number[]>();
  let depth = 0;
  let escaped = false;
  let lastPercent = -1;
  let next = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x0a) lastPercent = -1;
    else if (ch === 0x25) lastPercent = i;
    if (i === candidates[next]?.at) (candidates[next++] as EntryCandidate).lastPercent = lastPercent;
    if (escaped) {
      escaped = false;
      continue;
    }
    if (ch === 0x5c) escaped = true;
    else if (ch === 0x7b) {
      braces.push(i);
      depth++;
    } else if (ch === 0x7d) {
      depth--;
      const open = braces.pop();
      const c = open === undefined ? undefined : byOpen.get(open);
      if (c) c.close = i + 1;
    } else if (ch === 0x28) {
      const stack = parens.get(depth);
      if (stack) stack.push(i);
      else parens.set(depth, [i]);
    } else if (ch === 0x29) {
      const open = parens.get(depth)?.pop();
      const c = open === undefined ? undefined : byOpen.get(open);
      if (c) c.close = i + 1;
    }
  }
  return candidates;
}

function splitChunks(text: string): Chunk[] {
  const candidates = scanEntryCandidates(text);
  const lines = new LineIndex(text);
  const byAt = new Map(candidates.map((c) => [c.at, c]));
  const starts: Array<{ type: string; start: number }> = [];
  for (const m of text.matchAll(ENTRY_START)) starts.push({ type: (m[1] ?? '').toLowerCase(), start: m.index });
  // A chunk's entry: the candidate at its "@", with its closing bracket if that is inside the chunk.
  const chunkAt = (at: number, type: string, end: number): Chunk => {
    const c = byAt.get(at);
    const close = c && c.close !== -1 && c.close <= end ? c.close - at : -1;
    return { type, start: at, line: lines.lineAt(at), text: text.slice(at, end), close };
  };
  const chunks = starts.map((s, i) => {
    const end = starts[i + 1]?.start ?? text.length;
    const chunk = chunkAt(text.indexOf('@', s.start), s.type, end);
    // The chunk keeps the invisible characters before its "@" (positions are reported from its start).
    return { ...chunk, start: s.start, text: text.slice(s.start, end), close: chunk.close === -1 ? -1 : chunk.close + chunk.start - s.start };
  });
  return withInlineEntries(text, chunks, candidates, chunkAt);
}

/**
 * An "@type{" that does not start its line ("x@article{", "}@article{", a second entry on the line of
 * the first): BibTeX reads an entry there all the same. It is looked for only where no entry can be
 * open, so an "@" inside a value is never taken for one: before the first entry, after an entry's
 * closing bracket, and inside an @string/@preamble/@comment that is never closed. A "%" before it on
 * its line (from where the search starts) makes it a comment.
 */
function withInlineEntries(
  text: string,
  chunks: Chunk[],
  candidates: readonly EntryCandidate[],
  chunkAt: (at: number, type: string, end: number) => Chunk,
): Chunk[] {
  // The first candidate at or after `from` and before `end` that no "%" from `from` on hides. Searches
  // only move forward through a chunk, so no candidate is looked at twice.
  const inlineEntry = (from: number, end: number): EntryCandidate | undefined => {
    let lo = 0;
    let hi = candidates.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((candidates[mid] as EntryCandidate).at < from) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < candidates.length; i++) {
      const c = candidates[i] as EntryCandidate;
      if (c.at >= end) return undefined;
      if (c.lastPercent < from) return c;
    }
    return undefined;
  };
  const out: Chunk[] = [];
  const pending = [...chunks].reverse();
  const firstStart = chunks[0]?.start ?? text.length;
  const inHead = inlineEntry(0, firstStart);
  if (inHead) pending.push(chunkAt(inHead.at, inHead.type, firstStart));
  for (let chunk = pending.pop(); chunk; chunk = pending.pop()) {
    const end = chunk.start + chunk.text.length;
    // BibTeX gives @comment no argument at all, and reads an entry inside what the library takes for
    // one; an unclosed paper entry is left to the library, which reports it.
    const header = /^[^{(]*[{(]/.exec(chunk.text)?.[0].length ?? chunk.text.length;
    const searchFrom = chunk.close !== -1 ? chunk.close : NON_PAPERS.has(chunk.type) ? header : -1;
    const found = searchFrom === -1 ? undefined : inlineEntry(chunk.start + searchFrom, end);
    if (!found) {
      out.push(chunk);
      continue;
    }
    out.push({ ...chunk, text: chunk.text.slice(0, found.at - chunk.start) });
    pending.push(chunkAt(found.at, found.type, end));
  }
  return out;
}

interface PreparedChunk {
  /** The chunk for the library: same lines, with unused and plain single-line fields blanked. */
  source: string;
  /** Plain-text values taken out of the first entry, by lowercase field name. */
  plain: Map<string, string>;
  /** Huge fields whose LaTeX was stripped here rather than decoded by the library. */
  roughlyDecoded: string[];
}

// The library's time grows with the square of a field's length (a 400 KB abstract took 17 s, a 2 MB
// one minutes), so values longer than this are taken out before it sees them and read here.
const HUGE_VALUE_CHARS = 20_000;

/** Index just past the group that opens at `open` ("{" or '"'), or -1 when it never closes. */
function valueEnd(text: string, open: number): number {
  let depth = 0;
  for (let i = open + (text[open] === '"' ? 1 : 0); i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\') i++;
    else if (ch === '{') depth++;
    else if (ch === '}') {
      if (--depth === 0 && text[open] === '{') return i + 1;
      if (depth < 0) return -1;
    } else if (ch === '"' && depth === 0 && text[open] === '"') return i + 1;
  }
  return -1;
}

interface FieldRange {
  name: string;
  /** Where `name = value,` starts and ends (the comma included). */
  start: number;
  end: number;
  value: string;
}

/** The top-level `name = value` fields of the entry that starts `text`, as far as they are well formed. */
function topLevelFields(text: string): FieldRange[] {
  const fields: FieldRange[] = [];
  const header = /^[^{(]*[{(][^,{}()]*,/.exec(text);
  if (!header) return fields;
  const nameRe = /\s*([A-Za-z][\w:.+-]*)\s*=\s*/y;
  const bareRe = /[^\s,#{}()"]+/y;
  const hashRe = /\s*#\s*/y;
  const commaRe = /\s*,/y;
  let i = header[0].length;
  for (;;) {
    nameRe.lastIndex = i;
    const f = nameRe.exec(text);
    if (!f?.[1]) return fields;
    let j = nameRe.lastIndex;
    const valueStart = j;
    for (;;) {
      if (text[j] === '{' || text[j] === '"') j = valueEnd(text, j);
      else {
        bareRe.lastIndex = j;
        j = bareRe.exec(text) ? bareRe.lastIndex : -1;
      }
      if (j === -1) return fields;
      hashRe.lastIndex = j;
      if (!hashRe.exec(text)) break;
      j = hashRe.lastIndex;
    }
    commaRe.lastIndex = j;
    const end = commaRe.exec(text) ? commaRe.lastIndex : j;
    fields.push({ name: f[1].toLowerCase(), start: f.index, end, value: text.slice(valueStart, j) });
    i = end;
  }
}

/** LaTeX to text without the library, for huge values: commands dropped, their arguments kept. */
function roughText(value: string): string {
  return value
    .replace(/^[{"]|[}"]$/g, '')
    .replace(/\\[A-Za-z@]+\*?\s*/g, '')
    .replace(/\\(.)/g, '$1')
    .replace(/[{}]/g, '')
    .replace(/~/g, ' ')
    .replace(/---?/g, (d) => (d.length === 3 ? '\u2014' : '\u2013'));
}

/**
 * Takes fields longer than HUGE_VALUE_CHARS out of the first entry (blanked, line breaks kept): used
 * ones go into `plain` as text, unused ones are dropped as they would be anyway.
 */
function takeHugeFields(chunk: string, plain: Map<string, string>, roughlyDecoded: string[]): string {
  if (chunk.length <= HUGE_VALUE_CHARS) return chunk;
  let out = '';
  let copied = 0;
  for (const f of topLevelFields(chunk)) {
    if (f.value.length <= HUGE_VALUE_CHARS) continue;
    if (USED_FIELDS.has(f.name) && !plain.has(f.name)) {
      const inner = f.value.replace(/^[{"]|[}"]$/g, '');
      if (LATEX_SIGNIFICANT.test(inner)) roughlyDecoded.push(f.name);
      plain.set(f.name, LATEX_SIGNIFICANT.test(inner) ? roughText(f.value) : inner);
    }
    out += chunk.slice(copied, f.start) + chunk.slice(f.start, f.end).replace(/[^\n]+/g, '');
    copied = f.end;
  }
  return copied === 0 ? chunk : out + chunk.slice(copied);
}

/**
 * Lightens a chunk before the library sees it, keeping every newline so line numbers stay right.
 * Only whole lines at the first entry's top level are touched (brace depth is tracked), never a
 * line inside a value. Also protects "<" and ">", which the library would turn into "¡" and "¿"
 * (their glyphs in TeX's old OT1 font encoding; "p < 0.05" must stay as written).
 */
function prepareChunk(text: string): PreparedChunk {
  const plain = new Map<string, string>();
  const roughlyDecoded: string[] = [];
  const chunk = takeHugeFields(text, plain, roughlyDecoded);
  const lines = chunk.split('\n');
  const braced = /^[^{(]*\{/.test(lines[0] ?? '');
  const topDepth = braced ? 1 : 0;
  let depth = 0;
  let firstEntryOpen = true;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (i > 0 && depth === topDepth) {
      const m = SIMPLE_FIELD_LINE.exec(line);
      const name = m?.[1]?.toLowerCase();
      if (m && name !== undefined && !USED_FIELDS.has(name)) {
        lines[i] = '';
        continue;
      }
      const value = m?.[2] ?? m?.[3] ?? (/^\d+$/.test(m?.[4] ?? '') ? m?.[4] : undefined);
      if (braced && firstEntryOpen && name !== undefined && value !== undefined && PLAIN_FIELDS.has(name) && !plain.has(name) && !LATEX_SIGNIFICANT.test(value)) {
        plain.set(name, value);
        lines[i] = '';
        continue;
      }
    }
    if (/[<>]/.test(line) && !VERBATIM_FIELD_NAME.test(FIELD_NAME_LINE.exec(line)?.[1] ?? '')) lines[i] = line.replace(/</g, '\\textless{}').replace(/>/g, '\\textgreater{}');
    for (let c = 0; c < line.length; c++) {
      const ch = line[c];
      if (ch === '\\') c++;
      else if (ch === '{') depth++;
      else if (ch === '}') depth--;
    }
    if (braced && depth < topDepth && i > 0) firstEntryOpen = false;
  }
  return { source: lines.join('\n'), plain, roughlyDecoded };
}

// The library renders \emph, \textsc, case protection… as HTML-ish markup; an index wants plain text.
const MARKUP = /<\/?(?:i|b|sc|nc|ncx|br|p|li|ul|code|sup|sub|blockquote|enquote|h\d)>|<span[^>]*>|<\/span>|<a href="[^"]*">|<\/a>/g;

function stripMarkup(value: string | undefined): string {
  return cleanText((value ?? '').replace(MARKUP, ''));
}

/** A name as the library parsed it (last name, von part, suffix), written for display by displayName. */
function creatorName(c: Creator): string {
  if (c.name) return displayName({ literal: stripMarkup(c.name) });
  const given = stripMarkup(c.firstName);
  const family = stripMarkup(c.lastName);
  // "Henry E. Kyburg, Jr." is BibTeX for last name "Henry E. Kyburg", first name "Jr.": written so
  // often that it is read as meant.
  const words = family.split(' ');
  if (!c.suffix && !c.prefix && isGenerationalSuffix(given) && words.length > 1) {
    return displayName({ given: words.slice(0, -1).join(' '), family: words[words.length - 1], suffix: given });
  }
  return displayName({ given, prefix: stripMarkup(c.prefix), family, suffix: stripMarkup(c.suffix) });
}

const NO_PLAIN = new Map<string, string>();

/**
 * A name from an author list too long for the library (see takeHugeFields): "Last, First" and
 * "Last, Jr., First" give their parts; "First von Last" is kept as written.
 */
function plainName(name: string): string {
  const parts = name.split(',').map((p) => p.trim());
  if (parts.length === 2) return displayName({ given: parts[1], family: parts[0] });
  if (parts.length === 3) return displayName({ given: parts[2], family: parts[0], suffix: parts[1] });
  return name;
}

function entryToPaper(entry: Entry, plainFields: Map<string, string>, file: string, line: number): Paper | undefined {
  const field = (name: string): string | undefined => {
    const value: unknown = (entry.fields as Record<string, unknown>)[name] ?? plainFields.get(name);
    return typeof value === 'string' && value.trim() !== '' ? value : undefined;
  };
  const abstract = stripMarkup(field('abstract'));
  // An entry with only an abstract is still worth finding by meaning; it is shown under its key.
  const title = stripMarkup(field('title')) || (abstract ? entry.key : '');
  if (title === '') return undefined;
  const eprint = field('eprint');
  const eprintType = field('archiveprefix') ?? field('eprinttype') ?? '';
  // An eprint is an arXiv id when the entry says so, or says nothing (then the id's shape decides);
  // eprinttype = pubmed, jstor… are other archives.
  const eprintIsArxiv = eprint !== undefined && (/arxiv/i.test(eprintType) || /arxiv/i.test(eprint) || eprintType === '');
  const arxiv = field('arxivid') ?? (eprintIsArxiv ? eprint : undefined);
  const creators = (role: 'author' | 'editor'): string[] | undefined => {
    const parsed = entry.fields[role];
    if (parsed?.length) return parsed.map(creatorName);
    return plainFields.get(role)?.split(/\s+and\s+/i).map(plainName);
  };
  return buildPaper(
    {
      id: entry.key || undefined,
      title,
      abstract,
      // "and others" is BibTeX's et al., not a person.
      authors: (creators('author') ?? creators('editor') ?? []).filter((n) => n.toLowerCase() !== 'others'),
      year: parseYear(field('year')) ?? parseYear(field('date')),
      venue: stripMarkup(field('journal') ?? field('journaltitle') ?? field('booktitle')),
      doi: field('doi'),
      url: field('url'),
      arxivId: arxiv,
      keywords: (entry.fields.keywords ?? plainFields.get('keywords')?.split(/[,;]/) ?? []).map(stripMarkup),
    },
    { file, line },
  );
}

// The library's messages for the common breakages, in words a user can act on.
const PLAIN_REASONS: Array<[RegExp, string]> = [
  [/^Token mismatch, expected "[})]", found ""/, 'the entry is not closed (a "{" too many, or a missing "}")'],
  [/^Unterminated (?:brace|quote)-value/, 'a field value is never closed (a "{" or \'"\' too many)'],
  [/^Unclosed math section/, 'a "$" starts math that is never closed (write \\$ for a dollar sign)'],
];

/** "Token mismatch … at line 12, column 3 in \"article\"" → a plain reason and "(near line 12)". */
function reason(error: string, lineOffset: number): string {
  const first = error.split('\n')[0] ?? '';
  const at = / at line (\d+), column \d+(?: in ".*")?$/.exec(first);
  const where = at?.[1] === undefined ? '' : ` (near line ${Number(at[1]) + lineOffset - 1})`;
  const bare = at ? first.slice(0, at.index) : first;
  const plain = PLAIN_REASONS.find(([re]) => re.test(bare))?.[1];
  return `${plain ?? bare}${where}`;
}

function parseChunk(text: string, strings: Record<string, string>): Library {
  // The library throws an error for every directive it fails on and catches it itself; without
  // stack traces, which nobody reads, a file of broken entries reads in about half the time.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return parseLibrary(text, strings);
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

function parseLibrary(text: string, strings: Record<string, string>): Library {
  return parseBibtex(text, {
    sentenceCase: false,
    applyCrossRef: false,
    strings,
    // An unknown macro is dropped but its arguments' text is kept: \bibcyr{Влияние…} → Влияние…,
    // a stray \ud → nothing. The default would leave the raw LaTeX in titles.
    unsupported: (node, tex) => (node.type === 'macro' ? tex.replace(/^\\[A-Za-z@]+\*?\s*/, '').replace(/[{}]/g, '') : tex),
  });
}

// ---------------------------------------------------------------------------------------------------
// @string macros are read here, not by the library. A macro may be built from others
// (`@string{b = a # a}`), so 40 lines of doubling macros ask for 2^40 characters, and the library
// expands each definition in full: a 1.3 KB file took 25 s and 3.3 GB, and past V8's longest string
// the library threw and every macro of the file was lost. Here each definition is read on its own (a
// broken one costs only itself) and expansion is capped, per macro and per file.

/** Characters one macro may expand to; journal names and the like take a few hundred. */
const MAX_MACRO_CHARS = 4_000;
/**
 * Characters the macros used in one piece may expand to. Macros put text into fields after
 * HUGE_VALUE_CHARS has been checked, and the library's time grows with the square of a field's
 * length (about 0.15 s CPU for a 5k-character field, 1 s for 18k).
 */
const MAX_MACRO_CHARS_PER_PIECE = 8_000;

/**
 * Characters the macros of one file may expand to in all, where defined and where used: far above
 * what real files use (a journal name per entry), and linear in the file's size.
 */
function macroBudget(text: string): number {
  return 50_000 + 2 * text.length;
}

// What the library reads as a bare key or macro name (verbatim.js key()), one UTF-16 unit at a time
// as it does.
const KEY_CHAR = /[+'a-zA-Z0-9&;_:\\./\-\p{Lu}\p{Lt}\p{Ll}\p{Lm}\p{Lo}]/u;
const KEY_RUN = /[+'a-zA-Z0-9&;_:\\./\-\p{Lu}\p{Lt}\p{Ll}\p{Lm}\p{Lo}]*/uy;
// White space and "%" comments, which the library skips between tokens.
const SPACE_RUN = /(?:[ \t\r\n]|%[^\n]*)*/y;
// A bare value after "=" or "#": every place the library may look a macro up, and some more.
const MACRO_USE = /[=#](?:[ \t\r\n]|%[^\n]*\n)*([+'a-zA-Z0-9&;_:\\./\-\p{Lu}\p{Lt}\p{Ll}\p{Lm}\p{Lo}]+)/gu;

function runEnd(re: RegExp, text: string, pos: number): number {
  re.lastIndex = pos;
  return re.exec(text) ? re.lastIndex : pos;
}

/** Index just past the "{…}" or "\"…\"" value that opens at `open`, as the library reads it, or -1. */
function macroValueEnd(text: string, open: number): number {
  let depth = 0;
  const quoted = text[open] === '"';
  for (let i = open + 1; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\') i++;
    else if (ch === '{') depth++;
    else if (ch === '}') {
      if (depth === 0 && !quoted) return i + 1;
      depth--;
    } else if (ch === '"' && quoted && depth <= 0) return i + 1;
  }
  return -1;
}

interface MacroTable {
  /** Raw (LaTeX) values by upper-case name, as the library looks them up. */
  values: Map<string, string>;
  /** Names whose definition was refused for its size; their uses are not reported again. */
  refused: Set<string>;
  /** Characters the file's macros may still expand to. */
  budget: number;
  /** The library's own value of a macro it defines itself (jan, cacm…), or undefined. */
  builtin: (name: string) => string | undefined;
}

/** The library's own macros (months, a few journals), asked for by name: at most this many per file. */
const MAX_BUILTIN_LOOKUPS = 50;

/**
 * Reads every @string of the file in order, each on its own. A use of a macro not defined before it
 * keeps the name as text, as the library does; the library's built-in macros (jan, cacm…) are asked
 * of the library.
 */
function readMacros(chunks: readonly Chunk[], text: string, file: string, diagnostics: IngestDiagnostic[], undefinedStrings: Map<string, { line: number; count: number }>): MacroTable {
  const builtins = new Map<string, string | undefined>();
  const builtin = (name: string): string | undefined => {
    const key = name.toUpperCase();
    if (builtins.has(key)) return builtins.get(key);
    if (builtins.size >= MAX_BUILTIN_LOOKUPS) return undefined;
    let value: string | undefined;
    try {
      const lib = parseBibtex(`@misc{k, x = ${name}}`, { raw: true });
      if (!lib.errors.some((e) => e.error.startsWith('Unresolved'))) value = typeof lib.entries[0]?.fields.x === 'string' ? lib.entries[0].fields.x : undefined;
    } catch {
      value = undefined;
    }
    builtins.set(key, value);
    return value;
  };
  const table: MacroTable = { values: new Map(), refused: new Set(), budget: macroBudget(text), builtin };
  for (const chunk of chunks) {
    if (chunk.type !== 'string') continue;
    const warn = (message: string): void => {
      diagnostics.push({ file, line: chunk.line, severity: 'warning', message });
    };
    const t = chunk.text;
    let pos = runEnd(SPACE_RUN, t, (/^[^{(]*[{(]/.exec(t)?.[0].length ?? t.length));
    const name = t.slice(pos, runEnd(KEY_RUN, t, pos));
    pos = runEnd(SPACE_RUN, t, pos + name.length);
    if (name === '' || t[pos] !== '=') {
      // Reported by reportTextAfterNonPaper when it is never closed; an empty @string{} is harmless.
      if (name !== '' || /[^\s{}()]/.test(t.slice(pos, chunk.close === -1 ? undefined : chunk.close - 1))) warn(`@string without "name = value" was ignored`);
      continue;
    }
    let value = '';
    let broken: string | undefined;
    for (pos++; ; ) {
      pos = runEnd(SPACE_RUN, t, pos);
      if (t[pos] === '{' || t[pos] === '"') {
        const end = macroValueEnd(t, pos);
        if (end === -1) {
          broken = 'its value is never closed';
          break;
        }
        value += t.slice(pos + 1, end - 1);
        pos = end;
      } else {
        const bare = t.slice(pos, runEnd(KEY_RUN, t, pos));
        if (bare === '') {
          broken = 'its value is missing';
          break;
        }
        pos += bare.length;
        const known = /^\d+$/.test(bare) ? bare : (table.values.get(bare.toUpperCase()) ?? table.builtin(bare));
        if (known === undefined && !table.refused.has(bare.toUpperCase())) {
          const seen = undefinedStrings.get(bare);
          if (seen) seen.count++;
          else undefinedStrings.set(bare, { line: chunk.line, count: 1 });
        }
        value += known ?? `{{${bare}}}`;
      }
      if (value.length > MAX_MACRO_CHARS) break;
      pos = runEnd(SPACE_RUN, t, pos);
      if (t[pos] !== '#') break;
      pos++;
    }
    const upper = name.toUpperCase();
    if (broken !== undefined) {
      // One never closed is reported as such by reportTextAfterNonPaper.
      if (chunk.close !== -1) warn(`@string "${name}" was not defined: ${broken}`);
    } else if (value.length > MAX_MACRO_CHARS) {
      table.refused.add(upper);
      table.values.delete(upper);
      warn(`@string "${name}" expands to over ${MAX_MACRO_CHARS / 1000}k characters and was not defined; its uses keep the name as text`);
    } else if (value.length > table.budget) {
      table.refused.add(upper);
      table.values.delete(upper);
      warn(`@string "${name}" was not defined: the file's macros are over ${macroBudget(text).toLocaleString('en-US')} characters in all; its uses keep the name as text`);
    } else {
      table.budget -= value.length;
      table.values.set(upper, value);
      table.refused.delete(upper);
    }
  }
  return table;
}

/** Distinct undefined macros one piece may use before they are no longer left to the library. */
const MAX_UNDEFINED_MACROS_PER_PIECE = 64;

interface PieceMacros {
  strings: Record<string, string>;
  /** Undefined macros given to the library as their own names (see macrosFor); 0 when none were. */
  undefinedGiven: number;
}

/**
 * The macros a piece of the file uses, for the library to expand, as long as the file's expansion
 * budget lasts; the names left out are added to `withheld` (the library keeps them as text).
 *
 * The library reports each undefined macro once, after comparing it with every error it has so far:
 * fields made of thousands of undefined names were quadratic. Past MAX_UNDEFINED_MACROS_PER_PIECE
 * they are given to it as their own names in braces, which is what it puts in their place anyway.
 */
function macrosFor(source: string, table: MacroTable, withheld: Set<string>): PieceMacros {
  const strings: Record<string, string> = {};
  const uses = new Map<string, number>();
  const undefinedNames = new Map<string, string>();
  for (const m of source.matchAll(MACRO_USE)) {
    const name = m[1] ?? '';
    const upper = name.toUpperCase();
    if (table.values.has(upper)) uses.set(upper, (uses.get(upper) ?? 0) + 1);
    else if (!/^\d+$/.test(name) && !undefinedNames.has(upper)) undefinedNames.set(upper, name);
  }
  let pieceBudget = MAX_MACRO_CHARS_PER_PIECE;
  for (const [upper, count] of uses) {
    const value = table.values.get(upper) ?? '';
    const cost = value.length * count;
    if (cost > table.budget || cost > pieceBudget) {
      withheld.add(upper);
      continue;
    }
    table.budget -= cost;
    pieceBudget -= cost;
    strings[upper] = value;
  }
  let undefinedGiven = 0;
  if (undefinedNames.size > MAX_UNDEFINED_MACROS_PER_PIECE) {
    for (const [upper, name] of undefinedNames) {
      if (table.builtin(name) !== undefined) continue;
      strings[upper] = `{{${name}}}`;
      undefinedGiven++;
    }
  }
  return { strings, undefinedGiven };
}

/**
 * @string, @preamble and @comment chunks are not parsed here, so fields after their closing bracket
 * (an entry whose "@" line was mangled) would be dropped without a word; they are reported instead.
 */
function reportTextAfterNonPaper(chunk: Chunk, file: string, diagnostics: IngestDiagnostic[]): void {
  const text = chunk.text;
  const end = chunk.close;
  if (end === -1) {
    const header = /^[^{(]*[{(]/.exec(text)?.[0].length ?? 0;
    if (/[\w}][ \t]*=/.test(text.slice(header).replace(/%.*$/gm, ''))) {
      diagnostics.push({ file, line: chunk.line, severity: 'warning', message: `@${chunk.type} is never closed; the fields after it, up to the next entry, were ignored` });
    }
    return;
  }
  const rest = text.slice(end).replace(/%.*$/gm, '');
  const stray = /[\w}][ \t]*=/.exec(rest);
  if (!stray) return;
  const firstText = /[^\s,]/.exec(rest)?.index ?? stray.index;
  const line = chunk.line + (text.slice(0, end + firstText).match(/\n/g) ?? []).length;
  diagnostics.push({ file, line, severity: 'warning', message: `text after the end of @${chunk.type} was ignored (an entry without its "@type{key," line?)` });
}

/** Where "@type{key" starts in `source` at or after `from`, or -1. (No regex of the key: keys can be huge.) */
function entryStartAfter(source: string, from: number, type: string, key: string): number {
  // The type may be empty: "@{" is an entry to the library (one it then fails to read).
  const header = /@[ \t]*([A-Za-z][\w-]*)?[ \t]*[{(]\s*/g;
  header.lastIndex = from;
  for (let m = header.exec(source); m; m = header.exec(source)) {
    if ((m[1] ?? '').toLowerCase() === type.toLowerCase() && source.startsWith(key, header.lastIndex)) return m.index;
  }
  return -1;
}

function entryLabel(type: string, key: string): string {
  return `@${type}{${key}}`;
}


// ---------------------------------------------------------------------------------------------------
// What the library is given. It starts a directive at every "@" outside an entry and, after an error,
// at the next "@"; each failed one costs it a pass over the text before it (it counts lines for the
// message) and over its earlier errors, so a line of "@" or of "@a{" was quadratic (160 KB: 133 s).
// An "@" the library can only fail on is hidden from it, and a chunk with many it can start on is
// given to it in pieces of a few each.

/** Directives (live "@") the library is given at once. */
const MAX_DIRECTIVES_PER_PIECE = 16;
/** How far past an "@" the library's directive is looked for (white space, a comment, the type). */
const DIRECTIVE_LOOKAHEAD = 256;
// Stands for a hidden "@" while the library reads; a private-use character, put back in everything
// the library returns.
const HIDDEN_AT = '\uE040';

/** Whether the library may start a directive at the "@" at `at`: "@", space, a key, space, a bracket. */
function libraryDirectiveAt(source: string, at: number): boolean {
  const limit = Math.min(source.length, at + DIRECTIVE_LOOKAHEAD);
  let p = at + 1;
  const skipSpace = (): void => {
    while (p < limit) {
      const ch = source[p];
      if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n') p++;
      else if (ch === '%') while (p < limit && source[p] !== '\n') p++;
      else return;
    }
  };
  skipSpace();
  const keyStart = p;
  while (p < limit && KEY_CHAR.test(source[p] ?? '')) p++;
  if (/^(?:comment|preamble|string)$/i.test(source.slice(keyStart, p))) return true;
  skipSpace();
  // Too far to tell: left to the library.
  return p >= limit || source[p] === '{' || source[p] === '(';
}

interface LibraryPiece {
  text: string;
  /** Line of the piece's first character. */
  line: number;
  /** Whether it holds the chunk's own entry (the one plain fields were taken from). */
  first: boolean;
}

function libraryPieces(source: string, line: number): LibraryPiece[] {
  const first = source.indexOf('@');
  if (first === -1 || source.indexOf('@', first + 1) === -1) return [{ text: source, line, first: true }];
  // With the stand-in already in the text a hidden "@" could not be told from it: every "@" is
  // then taken as a place the library may start at.
  const canHide = !source.includes(HIDDEN_AT);
  const live: number[] = [];
  let hidden = '';
  let copied = 0;
  for (let at = source.indexOf('@', first + 1); at !== -1; at = source.indexOf('@', at + 1)) {
    if (!canHide || libraryDirectiveAt(source, at)) {
      live.push(at);
    } else {
      hidden += source.slice(copied, at) + HIDDEN_AT;
      copied = at + 1;
    }
  }
  const text = copied === 0 ? source : hidden + source.slice(copied);
  const pieces: LibraryPiece[] = [];
  let from = 0;
  let fromLine = line;
  for (let k = MAX_DIRECTIVES_PER_PIECE - 1; k < live.length; k += MAX_DIRECTIVES_PER_PIECE) {
    const cut = live[k] as number;
    pieces.push({ text: text.slice(from, cut), line: fromLine, first: from === 0 });
    for (let p = text.indexOf('\n', from); p !== -1 && p < cut; p = text.indexOf('\n', p + 1)) fromLine++;
    from = cut;
  }
  pieces.push({ text: text.slice(from), line: fromLine, first: from === 0 });
  return pieces;
}

/** The library's result with every hidden "@" put back (not in `input`, which locates entries in the piece). */
function unhide<T>(value: T): T {
  if (typeof value === 'string') return (value.includes(HIDDEN_AT) ? value.split(HIDDEN_AT).join('@') : value) as T;
  if (Array.isArray(value)) return value.map(unhide) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'input' ? v : unhide(v)])) as T;
  }
  return value;
}

interface ReadState {
  file: string;
  papers: Paper[];
  diagnostics: IngestDiagnostic[];
  crossrefs: Array<{ paper: Paper; parentKey: string }>;
  byKey: Map<string, { paper: Paper; type: string }>;
  /** One note per undefined @string rather than one per use: old files reference hundreds of them. */
  undefinedStrings: Map<string, { line: number; count: number }>;
  macros: MacroTable;
  /** Macros not expanded because the file's expansion budget ran out. */
  withheld: Set<string>;
}

/** Reads one piece of an entry chunk through the library; `plain` are the fields taken out of its first entry. */
function readPiece(state: ReadState, source: string, pieceLine: number, plain: Map<string, string>): void {
  const { file, papers, diagnostics } = state;
  let lib: Library;
  const macros = macrosFor(source, state.macros, state.withheld);
  if (macros.undefinedGiven > 0) {
    diagnostics.push({ file, line: pieceLine, severity: 'info', message: `${macros.undefinedGiven} undefined @string names used here; their names were kept as the text` });
  }
  try {
    lib = parseChunk(source, macros.strings);
  } catch (e) {
    diagnostics.push({ file, line: pieceLine, severity: 'error', message: `entry could not be parsed: ${e instanceof Error ? e.message : String(e)}` });
    return;
  }
  if (source.includes(HIDDEN_AT)) lib = { ...lib, entries: unhide(lib.entries), errors: unhide(lib.errors) };
  const lineOf = (offset: number): number => {
    let line = pieceLine;
    for (let p = source.indexOf('\n'); p !== -1 && p < offset; p = source.indexOf('\n', p + 1)) line++;
    return line;
  };
  if (lib.entries.length === 0) {
    // Text taken for an entry in which the library found none.
    const stray = /[\w}][ \t]*=/.exec(source.replace(/%.*$/gm, (c) => ' '.repeat(c.length)));
    if (stray) diagnostics.push({ file, line: lineOf(stray.index), severity: 'warning', message: 'fields outside any entry (no "@type{key," line above them) were ignored' });
    return;
  }
  const syntaxErrors = lib.errors.filter((e) => e.input?.startsWith('@'));
  let cursor = 0;
  for (const [entryIndex, entry] of lib.entries.entries()) {
    const label = entryLabel(entry.type, entry.key);
    if (entry.input === '') {
      // The library keeps the fields it read before the error. The last of them may have run on
      // into the rest of the entry when the entry did not close, so it is dropped.
      const why = syntaxErrors.shift()?.error ?? 'syntax error';
      if (/^Token mismatch, expected "[})]"/.test(why)) {
        const last = Object.keys(entry.fields).pop();
        if (last !== undefined) delete (entry.fields as Record<string, unknown>)[last];
      }
      // The piece's own entry starts its first line; one found further in (after text the library
      // read through, such as an entry whose "@" line was mangled) is looked up by type and key.
      const found = entryIndex === 0 ? -1 : entryStartAfter(source, cursor, entry.type, entry.key);
      const failedLine = found === -1 ? pieceLine : lineOf(found);
      const paper = entryToPaper(entry, entryIndex === 0 ? plain : NO_PLAIN, file, failedLine);
      if (paper) papers.push(paper);
      diagnostics.push({
        file,
        line: failedLine,
        severity: paper ? 'warning' : 'error',
        message: `malformed entry ${label}: ${reason(why, pieceLine)}; ${paper ? 'kept the fields read before the error' : 'entry skipped'}`,
      });
      continue;
    }
    const at = source.indexOf(entry.input, cursor);
    const line = at === -1 ? pieceLine : lineOf(at);
    if (at !== -1) cursor = at + entry.input.length;
    const paper = entryToPaper(entry, entryIndex === 0 ? plain : NO_PLAIN, file, line);
    if (!paper) {
      diagnostics.push({ file, line, severity: 'warning', message: `entry ${label} has no title or abstract; skipped` });
      continue;
    }
    papers.push(paper);
    if (entry.key) state.byKey.set(entry.key.toLowerCase(), { paper, type: entry.type });
    const parentKey = typeof entry.fields.crossref === 'string' ? entry.fields.crossref : undefined;
    if (parentKey !== undefined) state.crossrefs.push({ paper, parentKey });
  }
  for (const err of lib.errors) {
    // Syntax errors belong to the failed entry reported above; any left over come from the library
    // reading on after the failure (an "@" inside the broken entry's abstract) and add nothing.
    if (err.input?.startsWith('@')) continue;
    const unresolved = /^Unresolved @string reference "(.*)"$/.exec(err.error);
    if (unresolved) {
      const name = unresolved[1] ?? '';
      if (state.macros.refused.has(name.toUpperCase())) continue;
      const seen = state.undefinedStrings.get(name);
      if (seen) seen.count++;
      else state.undefinedStrings.set(name, { line: pieceLine, count: 1 });
      continue;
    }
    diagnostics.push({ file, line: pieceLine, severity: 'warning', message: reason(err.error, pieceLine) });
  }
  // A closing brace too many ends the entry early and the library silently skips the rest.
  if (lib.errors.length === 0 && cursor > 0) {
    const rest = source.slice(cursor).replace(/%.*$/gm, '').replace(/^[ \t]*@comment\b.*$/gim, '');
    if (/[\w}]\s*=/.test(rest)) {
      // The line the ignored text starts on (comments blanked above keep their line breaks).
      const firstText = /[^\s,]/.exec(rest);
      diagnostics.push({
        file,
        line: lineOf(cursor + (firstText?.index ?? 0)),
        severity: 'warning',
        message: 'text after the end of the entry was ignored (a closing brace too many?)',
      });
    }
  }
}

/**
 * Reads one BibTeX/BibLaTeX file. Never throws: every problem becomes a diagnostic. Time and memory
 * are linear in the file's size whatever it holds (see the limits above: macro expansion, the
 * library's directives per piece, fields taken out past HUGE_VALUE_CHARS, diagnostics per file).
 */
export function parseBibtexText(text: string, file: string): ParseResult {
  const diagnostics: IngestDiagnostic[] = [];
  const chunks = splitChunks(text);
  const undefinedStrings = new Map<string, { line: number; count: number }>();
  const state: ReadState = {
    file,
    papers: [],
    diagnostics,
    crossrefs: [],
    byKey: new Map(),
    undefinedStrings,
    macros: readMacros(chunks, text, file, diagnostics, undefinedStrings),
    withheld: new Set(),
  };
  // Text before the first entry is a comment to BibTeX; fields there are an entry whose "@" line was
  // lost or mangled, and are reported rather than dropped in silence.
  const preamble = text.slice(0, chunks[0]?.start ?? text.length).replace(/%.*$/gm, '');
  const strayField = /[\w}][ \t]*=/.exec(preamble);
  if (strayField) {
    const line = preamble.slice(0, strayField.index).split('\n').length;
    diagnostics.push({ file, line, severity: 'warning', message: 'fields before the first entry (no "@type{key," line above them) were ignored' });
  }

  for (const chunk of chunks) {
    if (NON_PAPERS.has(chunk.type)) {
      reportTextAfterNonPaper(chunk, file, diagnostics);
      continue;
    }
    const { source, plain, roughlyDecoded } = prepareChunk(chunk.text);
    for (const name of roughlyDecoded) {
      diagnostics.push({ file, line: chunk.line, severity: 'info', message: `field "${name}" is over ${HUGE_VALUE_CHARS / 1000}k characters; its LaTeX was stripped rather than decoded` });
    }
    for (const piece of libraryPieces(source, chunk.line)) readPiece(state, piece.text, piece.line, piece.first ? plain : NO_PLAIN);
  }

  for (const [name, { line, count }] of undefinedStrings) {
    const uses = count === 1 ? 'once' : `in ${count} entries`;
    diagnostics.push({ file, line, severity: 'info', message: `undefined @string "${name}" (used ${uses}); its name was kept as the text` });
  }
  if (state.withheld.size > 0) {
    const names = [...state.withheld].slice(0, 5).join('", "');
    diagnostics.push({
      file,
      line: 0,
      severity: 'warning',
      message: `macros not expanded in some entries ("${names}"${state.withheld.size > 5 ? ', …' : ''}): their expansion would be over ${MAX_MACRO_CHARS_PER_PIECE / 1000}k characters in one entry or ${macroBudget(text).toLocaleString('en-US')} in the file; their names were kept as the text`,
    });
  }

  // crossref: a conference paper inherits venue and year from its proceedings entry. Done here
  // because chunks are parsed one at a time, so the library cannot see the parent.
  for (const { paper, parentKey } of state.crossrefs) {
    const parent = state.byKey.get(parentKey.toLowerCase());
    if (!parent) continue;
    const parentIsVolume = /^(proceedings|book|collection|mvbook|mvproceedings)$/.test(parent.type);
    const venue = paper.venue ?? (parentIsVolume ? parent.paper.title : parent.paper.venue);
    if (venue !== undefined) paper.venue = venue;
    const year = paper.year ?? parent.paper.year;
    if (year !== undefined) paper.year = year;
  }

  assignUniqueIds(state.papers, diagnostics);
  return { papers: state.papers, diagnostics: limitDiagnostics(diagnostics, file) };
}
