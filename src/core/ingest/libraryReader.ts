/**
 * Reading library files from disk: which format a file is, getting its bytes safely to text (gunzip,
 * size limit, binary files refused; invalid UTF-8 replaced line by line and reported at its line, so
 * one bad byte does not cost the rest of the file), and merging what several files say about the
 * same paper into one record.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { promisify } from 'node:util';
import { createGunzip, gunzip } from 'node:zlib';
import type { IngestDiagnostic, Paper, PaperSource, ParseResult } from '../../shared/paper';
import { conflictingIdentifiers, contentHash, identityKeys } from '../paperIdentity';
import { parseBibtexText } from './bibtexParser';
import { parseCslJsonText } from './cslJsonParser';
import { parseJsonLinesText, readJsonLinesPapers } from './jsonLinesParser';
import { parseMarkdownNoteText } from './markdownNoteParser';
import { parsePastedListText } from './pastedListParser';
import { assignUniqueIds } from './paperRecord';
import { parseRisText } from './risParser';
import { BINARY_SNIFF_BYTES, decodeFile, looksBinary } from './textDecoding';

export type LibraryFormat = 'bibtex' | 'csl-json' | 'json-lines' | 'ris' | 'markdown' | 'pasted-list';

export const DEFAULT_MAX_FILE_BYTES = 200 * 1024 * 1024;

export interface ReadLibraryOptions {
  /** Files (and decompressed .gz contents) larger than this are skipped with a diagnostic. */
  maxBytes?: number;
}

const gunzipAsync = promisify(gunzip);

function looksLikeJsonLines(head: string): boolean {
  const lines = head.split('\n').filter((l) => l.trim() !== '');
  return lines.length >= 2 && /^\s*\{.*\}\s*$/.test(lines[0] ?? '') && /^\s*\{/.test(lines[1] ?? '');
}

function sniff(head: string): LibraryFormat | undefined {
  const h = head.replace(/^\uFEFF/, '');
  if (/^\s*TY {1,2}-/.test(h)) return 'ris';
  if (/^[ \t]*@[ \t]*[A-Za-z]+[ \t]*[{(]/m.test(h)) return 'bibtex';
  if (looksLikeJsonLines(h)) return 'json-lines';
  if (/^\s*\[\s*(\{|\])/.test(h)) return 'csl-json';
  return undefined;
}

/**
 * The format of a file, from its name (a trailing .gz is looked through) and, where the name is not
 * enough (.txt, .json, no extension), from the first few KB of its text.
 */
export function detectFormat(path: string, head: string): LibraryFormat | undefined {
  const name = basename(path).toLowerCase().replace(/\.gz$/, '');
  const ext = /\.([a-z0-9]+)$/.exec(name)?.[1] ?? '';
  switch (ext) {
    case 'bib':
    case 'bibtex':
    case 'biblatex':
      return 'bibtex';
    case 'ris':
      return 'ris';
    case 'jsonl':
    case 'ndjson':
      return 'json-lines';
    case 'json':
      return looksLikeJsonLines(head) ? 'json-lines' : 'csl-json';
    case 'md':
    case 'markdown':
      return 'markdown';
    case 'txt':
      return sniff(head) ?? 'pasted-list';
    default:
      return sniff(head);
  }
}

/** Parses text already in memory as the given format. */
export function parseLibraryText(text: string, file: string, format: LibraryFormat): ParseResult {
  switch (format) {
    case 'bibtex':
      return parseBibtexText(text, file);
    case 'csl-json':
      return parseCslJsonText(text, file);
    case 'json-lines':
      return parseJsonLinesText(text, file);
    case 'ris':
      return parseRisText(text, file);
    case 'markdown':
      return parseMarkdownNoteText(text, file);
    case 'pasted-list':
      return parsePastedListText(text, file);
  }
}

function skipped(file: string, message: string, severity: IngestDiagnostic['severity'] = 'warning'): ParseResult {
  return { papers: [], diagnostics: [{ file, line: 0, severity, message }] };
}

function megabytes(n: number): string {
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

/** Thrown inside the byte stream to abandon the whole file. */
class SkipFile extends Error {}


/**
 * Streams a (possibly gzipped) file as bytes, refusing NUL bytes and content over the limit, so a
 * JSON Lines dump of any size is parsed without holding its text in memory.
 */
async function* checkedBytes(path: string, maxBytes: number): AsyncGenerator<Uint8Array> {
  const raw = createReadStream(path);
  const stream = path.toLowerCase().endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  let total = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxBytes) throw new SkipFile(`content is over the size limit of ${megabytes(maxBytes)}; skipped`);
      const before = total - chunk.length;
      if (before < BINARY_SNIFF_BYTES && chunk.subarray(0, BINARY_SNIFF_BYTES - before).includes(0)) {
        throw new SkipFile('binary file (NUL bytes); skipped');
      }
      yield chunk;
    }
  } catch (e) {
    if (e instanceof SkipFile) throw e;
    throw new SkipFile(`could not be read${path.toLowerCase().endsWith('.gz') ? ' as gzip' : ''}: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    raw.destroy();
  }
}

async function readJsonLinesFile(path: string, maxBytes: number): Promise<ParseResult> {
  // A binary or oversized file is skipped as a whole, like any other file, instead of being half-read;
  // invalid UTF-8 is the JSON Lines reader's business, line by line.
  let skipReason: string | undefined;
  async function* bytes(): AsyncGenerator<Uint8Array> {
    try {
      yield* checkedBytes(path, maxBytes);
    } catch (e) {
      skipReason = e instanceof SkipFile ? e.message : `could not be read: ${e instanceof Error ? e.message : String(e)}`;
      throw e;
    }
  }
  const result: ParseResult = { papers: [], diagnostics: [] };
  for await (const batch of readJsonLinesPapers(bytes(), path)) {
    for (const p of batch.papers) result.papers.push(p);
    for (const d of batch.diagnostics) result.diagnostics.push(d);
  }
  return skipReason === undefined ? result : skipped(path, skipReason, 'error');
}

/**
 * Reads and parses one library file. Never rejects: unreadable, binary, invalid UTF-8, oversized or
 * unrecognised files come back as a result with no papers and one diagnostic at line 0.
 */
export async function readLibraryFile(path: string, options: ReadLibraryOptions = {}): Promise<ParseResult> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_FILE_BYTES;
  try {
    const size = (await stat(path)).size;
    if (size > maxBytes) return skipped(path, `file is ${megabytes(size)}, over the size limit of ${megabytes(maxBytes)}; skipped`);
    if (detectFormat(path, '') === 'json-lines') return await readJsonLinesFile(path, maxBytes);
    let bytes: Uint8Array = await readFile(path);
    if (path.toLowerCase().endsWith('.gz')) {
      try {
        bytes = await gunzipAsync(bytes, { maxOutputLength: maxBytes });
      } catch (e) {
        const tooBig = e instanceof RangeError || (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
        return skipped(path, tooBig ? `content is over the size limit of ${megabytes(maxBytes)}; skipped` : `not a valid gzip file: ${String(e)}`, 'error');
      }
    }
    if (looksBinary(bytes)) return skipped(path, 'binary file (NUL bytes); skipped');
    const decoded = decodeFile(bytes, path);
    const text = decoded.text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
    const format = detectFormat(path, text.slice(0, 8192));
    if (format === undefined) return skipped(path, 'not a recognised library format; skipped', 'info');
    const result = parseLibraryText(text, path, format);
    return decoded.diagnostics.length === 0 ? result : { papers: result.papers, diagnostics: [...decoded.diagnostics, ...result.diagnostics] };
  } catch (e) {
    return skipped(path, `could not be read: ${e instanceof Error ? e.message : String(e)}`, 'error');
  }
}

// ---------------------------------------------------------------------------------------------------
// Merging

function copyPaper(p: Paper): Paper {
  return { ...p, authors: [...p.authors], keywords: [...p.keywords], sources: p.sources.map((s) => ({ ...s })) };
}

function mergeInto(target: Paper, p: Paper): void {
  if (p.abstract.length > target.abstract.length) target.abstract = p.abstract;
  if (p.authors.length > target.authors.length) target.authors = [...p.authors];
  target.year ??= p.year;
  target.venue ??= p.venue;
  target.doi ??= p.doi;
  target.url ??= p.url;
  target.arxivId ??= p.arxivId;
  for (const key of ['year', 'venue', 'doi', 'url', 'arxivId'] as const) if (target[key] === undefined) delete target[key];
  const seen = new Set(target.keywords.map((k) => k.toLowerCase()));
  for (const k of p.keywords) {
    if (!seen.has(k.toLowerCase())) {
      seen.add(k.toLowerCase());
      target.keywords.push(k);
    }
  }
  const at = (s: PaperSource): string => `${s.file}\u0000${s.line}`;
  const have = new Set(target.sources.map(at));
  for (const s of p.sources) if (!have.has(at(s))) target.sources.push({ ...s });
  target.contentHash = contentHash(target.title, target.abstract);
}

/**
 * One paper per work across files: records that share an identity key (same DOI, arXiv id or normalised
 * title; see paperIdentity.ts for short titles and conflicting identifiers) become one Paper listing
 * every source. The first record's id and title win; the longest abstract and author list win; keywords
 * are unioned; missing fields are filled from later records. Ids are unique in the output: a different
 * paper reusing an id is renamed with a warning. The output depends only on the results and their order
 * (the indexer passes every file, in path order), never on what was read before. Inputs are not modified.
 */
export function mergePapers(results: readonly ParseResult[]): ParseResult {
  const papers: Paper[] = [];
  const diagnostics: IngestDiagnostic[] = results.flatMap((r) => r.diagnostics);
  const byKey = new Map<string, Paper>();
  for (const result of results) {
    for (const p of result.papers) {
      const keys = identityKeys(p);
      let target: Paper | undefined;
      for (const k of keys) {
        const found = byKey.get(k);
        if (found && !conflictingIdentifiers(found, p)) {
          target = found;
          break;
        }
      }
      if (target) mergeInto(target, p);
      else {
        target = copyPaper(p);
        papers.push(target);
      }
      for (const k of identityKeys(target)) if (!byKey.has(k)) byKey.set(k, target);
    }
  }
  assignUniqueIds(papers, diagnostics);
  return { papers, diagnostics };
}
