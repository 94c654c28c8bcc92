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
import { assignUniqueIds, buildPaper, cleanText, parseYear } from './paperRecord';

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
// Most abstracts are plain text, and LaTeX-parsing them was most of the remaining time.
const PLAIN_FIELDS = new Set([
  'title', 'abstract', 'author', 'editor', 'journal', 'journaltitle', 'booktitle', 'year', 'date', 'doi',
  'url', 'eprint', 'eprinttype', 'archiveprefix', 'arxivid',
]);
// Anything the library would change: commands, groups, math, ties, comments, specials, ligatures.
const LATEX_SIGNIFICANT = /[\\{}$~%&#^_`<>]|--|''/;
const VERBATIM_FIELDS = /^[ \t]*(?:url|doi|eprint|file|pdf|[\w-]*url[\w-]*)[ \t]*=/i;
// A whole line holding one simple field: `name = {value},`, `name = "value",` or `name = 2014,`.
const SIMPLE_FIELD_LINE = /^[ \t]*([A-Za-z][\w:.+-]*)[ \t]*=[ \t]*(?:\{([^{}\n]*)\}|"([^"{}\n]*)"|([\w.:/-]+))[ \t]*,?[ \t]*$/;

interface Chunk {
  type: string;
  start: number;
  line: number;
  text: string;
}

function splitChunks(text: string): Chunk[] {
  const starts: Array<{ type: string; start: number }> = [];
  for (const m of text.matchAll(ENTRY_START)) starts.push({ type: (m[1] ?? '').toLowerCase(), start: m.index });
  const chunks: Chunk[] = [];
  let line = 1;
  let lineCountedTo = 0;
  starts.forEach((s, i) => {
    for (let p = text.indexOf('\n', lineCountedTo); p !== -1 && p < s.start; p = text.indexOf('\n', p + 1)) line++;
    lineCountedTo = s.start;
    const end = starts[i + 1]?.start ?? text.length;
    chunks.push({ type: s.type, start: s.start, line, text: text.slice(s.start, end) });
  });
  return withInlineEntries(text, chunks);
}

// An "@type{" that does not start its line ("x@article{", "}@article{", a second entry on the line of
// the first): BibTeX reads an entry there all the same. It is looked for only where no entry can be
// open, so an "@" inside a value is never taken for one: before the first entry, after an entry's
// closing bracket, and inside an @string/@preamble/@comment that is never closed.
const INLINE_ENTRY = /@[ \t]*([A-Za-z][\w-]*)[ \t]*[{(]/;

/**
 * Index just past the bracket that closes the first "{" or "(" of `text`, or -1. Parentheses in a
 * value ("1) first") do not count in a braced entry; in a parenthesised one, only outside braces.
 */
function closingBracket(text: string): number {
  const open = text.search(/[{(]/);
  if (open === -1) return -1;
  const paren = text[open] === '(';
  let braces = 0;
  let parens = 0;
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\') i++;
    else if (ch === '{') braces++;
    else if (ch === '}') {
      if (--braces === 0 && !paren) return i + 1;
    } else if (paren && braces === 0 && ch === '(') parens++;
    else if (paren && braces === 0 && ch === ')' && --parens === 0) return i + 1;
  }
  return -1;
}

/** Splits chunks where an entry starts other than at the start of a line (see INLINE_ENTRY). */
function withInlineEntries(text: string, chunks: Chunk[]): Chunk[] {
  // "%" lines are comments to the library: an "@" there starts nothing. They are blanked to the same
  // length, so positions still point into the text.
  const inlineEntry = (t: string, from: number): { at: number; type: string } | undefined => {
    const m = INLINE_ENTRY.exec(t.slice(from).replace(/%.*$/gm, (c) => ' '.repeat(c.length)));
    return m ? { at: from + m.index, type: (m[1] ?? '').toLowerCase() } : undefined;
  };
  const rest = (chunk: Chunk, found: { at: number; type: string }): Chunk => ({
    type: found.type,
    start: chunk.start + found.at,
    line: chunk.line + (chunk.text.slice(0, found.at).match(/\n/g) ?? []).length,
    text: chunk.text.slice(found.at),
  });
  const out: Chunk[] = [];
  const pending = [...chunks].reverse();
  const head: Chunk = { type: '', start: 0, line: 1, text: text.slice(0, chunks[0]?.start ?? text.length) };
  const inHead = inlineEntry(head.text, 0);
  if (inHead) pending.push(rest(head, inHead));
  for (let chunk = pending.pop(); chunk; chunk = pending.pop()) {
    const closed = closingBracket(chunk.text);
    // BibTeX gives @comment no argument at all, and reads an entry inside what the library takes for
    // one; an unclosed paper entry is left to the library, which reports it.
    const header = /^[^{(]*[{(]/.exec(chunk.text)?.[0].length ?? chunk.text.length;
    const searchFrom = closed !== -1 ? closed : NON_PAPERS.has(chunk.type) ? header : -1;
    const found = searchFrom === -1 ? undefined : inlineEntry(chunk.text, searchFrom);
    if (!found) {
      out.push(chunk);
      continue;
    }
    out.push({ ...chunk, text: chunk.text.slice(0, found.at) });
    pending.push(rest(chunk, found));
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
    if (/[<>]/.test(line) && !VERBATIM_FIELDS.test(line)) lines[i] = line.replace(/</g, '\\textless{}').replace(/>/g, '\\textgreater{}');
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

function creatorName(c: Creator): string {
  if (c.name) return stripMarkup(c.name);
  return stripMarkup([c.firstName, c.prefix, c.lastName, c.suffix].filter((p) => p).join(' '));
}

const NO_PLAIN = new Map<string, string>();

/**
 * A LaTeX-free BibTeX name as "Given Family": "Last, First" and "Last, Jr., First" are turned
 * around; "First von Last" is already in display order. Braced names go through the library.
 */
function plainName(name: string): string {
  const parts = name.split(',').map((p) => p.trim());
  if (parts.length === 2) return `${parts[1] ?? ''} ${parts[0] ?? ''}`;
  if (parts.length === 3) return `${parts[2] ?? ''} ${parts[0] ?? ''} ${parts[1] ?? ''}`;
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
  return parseBibtex(text, {
    sentenceCase: false,
    applyCrossRef: false,
    strings,
    // An unknown macro is dropped but its arguments' text is kept: \bibcyr{Влияние…} → Влияние…,
    // a stray \ud → nothing. The default would leave the raw LaTeX in titles.
    unsupported: (node, tex) => (node.type === 'macro' ? tex.replace(/^\\[A-Za-z@]+\*?\s*/, '').replace(/[{}]/g, '') : tex),
  });
}

/** Raw @string values, so each entry chunk can resolve them as if the file were parsed whole. */
function collectStrings(chunks: Chunk[], file: string, diagnostics: IngestDiagnostic[]): Record<string, string> {
  const defs = chunks.filter((c) => c.type === 'string');
  if (defs.length === 0) return {};
  try {
    return parseBibtex(defs.map((c) => c.text).join('\n'), { raw: true }).strings;
  } catch (e) {
    diagnostics.push({ file, line: defs[0]?.line ?? 0, severity: 'warning', message: `@string definitions could not be read: ${String(e)}` });
    return {};
  }
}

/**
 * @string, @preamble and @comment chunks are not parsed here, so fields after their closing bracket
 * (an entry whose "@" line was mangled) would be dropped without a word; they are reported instead.
 */
function reportTextAfterNonPaper(chunk: Chunk, file: string, diagnostics: IngestDiagnostic[]): void {
  const text = chunk.text;
  const end = closingBracket(text);
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

/** Reads one BibTeX/BibLaTeX file. Never throws: every problem becomes a diagnostic. */
export function parseBibtexText(text: string, file: string): ParseResult {
  const papers: Paper[] = [];
  const diagnostics: IngestDiagnostic[] = [];
  const chunks = splitChunks(text);
  const strings = collectStrings(chunks, file, diagnostics);
  // Text before the first entry is a comment to BibTeX; fields there are an entry whose "@" line was
  // lost or mangled, and are reported rather than dropped in silence.
  const preamble = text.slice(0, chunks[0]?.start ?? text.length).replace(/%.*$/gm, '');
  const strayField = /[\w}][ \t]*=/.exec(preamble);
  if (strayField) {
    const line = preamble.slice(0, strayField.index).split('\n').length;
    diagnostics.push({ file, line, severity: 'warning', message: 'fields before the first entry (no "@type{key," line above them) were ignored' });
  }
  const crossrefs: Array<{ paper: Paper; parentKey: string }> = [];
  const byKey = new Map<string, { paper: Paper; type: string }>();
  // One note per undefined @string rather than one per use: old files reference hundreds of them.
  const undefinedStrings = new Map<string, { line: number; count: number }>();

  for (const chunk of chunks) {
    if (NON_PAPERS.has(chunk.type)) {
      reportTextAfterNonPaper(chunk, file, diagnostics);
      continue;
    }
    const { source, plain, roughlyDecoded } = prepareChunk(chunk.text);
    for (const name of roughlyDecoded) {
      diagnostics.push({ file, line: chunk.line, severity: 'info', message: `field "${name}" is over ${HUGE_VALUE_CHARS / 1000}k characters; its LaTeX was stripped rather than decoded` });
    }
    let lib: Library;
    try {
      lib = parseChunk(source, strings);
    } catch (e) {
      diagnostics.push({ file, line: chunk.line, severity: 'error', message: `entry could not be parsed: ${e instanceof Error ? e.message : String(e)}` });
      continue;
    }
    const lineOf = (offset: number): number => {
      let line = chunk.line;
      for (let p = source.indexOf('\n'); p !== -1 && p < offset; p = source.indexOf('\n', p + 1)) line++;
      return line;
    };
    if (lib.entries.length === 0) {
      // Text taken for an entry in which the library found none.
      const stray = /[\w}][ \t]*=/.exec(source.replace(/%.*$/gm, (c) => ' '.repeat(c.length)));
      if (stray) diagnostics.push({ file, line: lineOf(stray.index), severity: 'warning', message: 'fields outside any entry (no "@type{key," line above them) were ignored' });
      continue;
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
        // The chunk's own entry starts its first line; one found further in (after text the library
        // read through, such as an entry whose "@" line was mangled) is looked up by type and key.
        const found = entryIndex === 0 ? -1 : entryStartAfter(source, cursor, entry.type, entry.key);
        const failedLine = found === -1 ? chunk.line : lineOf(found);
        const paper = entryToPaper(entry, entryIndex === 0 ? plain : NO_PLAIN, file, failedLine);
        if (paper) papers.push(paper);
        diagnostics.push({
          file,
          line: failedLine,
          severity: paper ? 'warning' : 'error',
          message: `malformed entry ${label}: ${reason(why, chunk.line)}; ${paper ? 'kept the fields read before the error' : 'entry skipped'}`,
        });
        continue;
      }
      const at = source.indexOf(entry.input, cursor);
      const line = at === -1 ? chunk.line : lineOf(at);
      if (at !== -1) cursor = at + entry.input.length;
      const paper = entryToPaper(entry, entryIndex === 0 ? plain : NO_PLAIN, file, line);
      if (!paper) {
        diagnostics.push({ file, line, severity: 'warning', message: `entry ${label} has no title or abstract; skipped` });
        continue;
      }
      papers.push(paper);
      if (entry.key) byKey.set(entry.key.toLowerCase(), { paper, type: entry.type });
      const parentKey = typeof entry.fields.crossref === 'string' ? entry.fields.crossref : undefined;
      if (parentKey !== undefined) crossrefs.push({ paper, parentKey });
    }
    for (const err of lib.errors) {
      // Syntax errors belong to the failed entry reported above; any left over come from the library
      // reading on after the failure (an "@" inside the broken entry's abstract) and add nothing.
      if (err.input?.startsWith('@')) continue;
      const unresolved = /^Unresolved @string reference "(.*)"$/.exec(err.error);
      if (unresolved) {
        const name = unresolved[1] ?? '';
        const seen = undefinedStrings.get(name);
        if (seen) seen.count++;
        else undefinedStrings.set(name, { line: chunk.line, count: 1 });
        continue;
      }
      diagnostics.push({ file, line: chunk.line, severity: 'warning', message: reason(err.error, chunk.line) });
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

  for (const [name, { line, count }] of undefinedStrings) {
    const uses = count === 1 ? 'once' : `in ${count} entries`;
    diagnostics.push({ file, line, severity: 'info', message: `undefined @string "${name}" (used ${uses}); its name was kept as the text` });
  }

  // crossref: a conference paper inherits venue and year from its proceedings entry. Done here
  // because chunks are parsed one at a time, so the library cannot see the parent.
  for (const { paper, parentKey } of crossrefs) {
    const parent = byKey.get(parentKey.toLowerCase());
    if (!parent) continue;
    const parentIsVolume = /^(proceedings|book|collection|mvbook|mvproceedings)$/.test(parent.type);
    const venue = paper.venue ?? (parentIsVolume ? parent.paper.title : parent.paper.venue);
    if (venue !== undefined) paper.venue = venue;
    const year = paper.year ?? parent.paper.year;
    if (year !== undefined) paper.year = year;
  }

  assignUniqueIds(papers, diagnostics);
  return { papers, diagnostics };
}
