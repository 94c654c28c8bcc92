/**
 * JSON Lines paper dumps (arXiv listings, the ACL Anthology, home-made exports): one JSON object a
 * line, with the field names each source happens to use. A bad line is a diagnostic with its line
 * number; the lines around it are still read.
 *
 * Two entry points: `parseJsonLinesText` for text already in memory, and `readJsonLinesPapers`, which
 * streams a file (gunzipping .gz) and yields batches, so a 100k-line dump never sits in memory as one
 * string.
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { IngestDiagnostic, Paper, PaperSource, ParseResult } from '../../shared/paper';
import { extractArxivId } from '../paperIdentity';
import { assignUniqueIds, buildPaper, cleanText, DiagnosticLimit, isRecord, limitDiagnostics, parseYear, splitAuthorList, splitKeywords, stringField } from './paperRecord';
import { decodeLine, EncodingReporter } from './textDecoding';

function firstString(obj: Record<string, unknown>, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = stringField(obj[name]);
    if (value !== undefined && value.trim() !== '') return value;
  }
  return undefined;
}

function stringList(value: unknown): string[] | undefined {
  if (Array.isArray(value)) return value.map((v) => (isRecord(v) ? (stringField(v.name) ?? '') : (stringField(v) ?? ''))).filter((v) => v.trim() !== '');
  return undefined;
}

/** ACL Anthology dumps give the anthology id ("P19-1001", "2020.acl-main.1") where a URL belongs. */
function resolveUrl(url: string | undefined): string | undefined {
  if (url === undefined || /^[a-z][a-z0-9+.-]*:/i.test(url)) return url;
  if (/^[A-Z]\d{2}-\d{4}$/.test(url) || /^\d{4}\.[a-z0-9-]+\.\d+$/i.test(url)) return `https://aclanthology.org/${url}`;
  return url;
}

/** arXiv's own dump writes categories space-separated ("cs.CL cs.LG"); keywords use , or ;. */
function keywordString(obj: Record<string, unknown>): string[] {
  const categories = firstString(obj, 'categories');
  if (categories !== undefined) return splitKeywords(categories.split(/[\s,;]+/));
  return splitKeywords(firstString(obj, 'keywords', 'tags'));
}

/** An id that is itself an arXiv id ("2503.11731", "arXiv:hep-th/9901001v2") names the arXiv paper. */
function idAsArxiv(id: string | undefined): string | undefined {
  if (id === undefined) return undefined;
  const bare = id.trim().replace(/^arxiv:/i, '').replace(/v\d+$/, '');
  return extractArxivId(bare) === bare ? bare : undefined;
}

/** One decoded JSON line → a paper, or the reason it is not one. */
function objectToPaper(value: unknown, source: PaperSource): Paper | string {
  if (!isRecord(value)) return 'line is valid JSON but not an object';
  const title = firstString(value, 'title');
  const abstract = firstString(value, 'abstract', 'summary') ?? '';
  if (title === undefined && abstract === '') return 'no "title" or "abstract"';
  const id = firstString(value, 'id', 'bibkey', 'arxiv_id', 'key');
  const arxivId = firstString(value, 'arxiv_id', 'arxivId') ?? idAsArxiv(id);
  const authorsValue = value.authors ?? value.author;
  const authors = stringList(authorsValue) ?? splitAuthorList(stringField(authorsValue) ?? '');
  return buildPaper(
    {
      id,
      title: title ?? `${cleanText(abstract).split(' ').slice(0, 12).join(' ')}…`,
      abstract,
      authors,
      year: parseYear(value.year) ?? parseYear(firstString(value, 'published', 'listed', 'date')),
      venue: firstString(value, 'venue', 'journal', 'booktitle'),
      doi: firstString(value, 'doi', 'DOI'),
      url: resolveUrl(firstString(value, 'url', 'URL')),
      arxivId,
      keywords: stringList(value.categories) ?? stringList(value.keywords) ?? keywordString(value),
    },
    source,
  );
}

// A file that is not a paper list at all (493 keyphrase paragraphs, say) would otherwise bury every
// other diagnostic; the first problems are listed, the rest counted in one note.
const MAX_LINE_DIAGNOSTICS = 20;

/** Turns lines into papers for one file, keeping the per-file diagnostic count across batches. */
class JsonLinesReader {
  private listed = 0;
  private unlisted = 0;
  private firstUnlisted = 0;

  constructor(private readonly file: string) {}

  /** Parses one line into `out`; blank lines are allowed (trailing newline, hand-edited files). */
  addLine(text: string, lineNo: number, out: ParseResult): void {
    const trimmed = text.trim();
    if (trimmed === '') return;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (e) {
      this.report(out, lineNo, 'error', `not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    const paper = objectToPaper(value, { file: this.file, line: lineNo });
    if (typeof paper === 'string') this.report(out, lineNo, 'warning', `${paper}; skipped`);
    else out.papers.push(paper);
  }

  /** Adds the note about problems not listed one by one, if any. */
  finish(out: ParseResult): void {
    if (this.unlisted === 0) return;
    out.diagnostics.push({
      file: this.file,
      line: this.firstUnlisted,
      severity: 'warning',
      message: `${this.unlisted} more lines were skipped as invalid or not papers (not listed one by one)`,
    });
  }

  private report(out: ParseResult, line: number, severity: IngestDiagnostic['severity'], message: string): void {
    if (this.listed < MAX_LINE_DIAGNOSTICS) {
      this.listed++;
      out.diagnostics.push({ file: this.file, line, severity, message });
      return;
    }
    if (this.unlisted++ === 0) this.firstUnlisted = line;
  }
}

/** Reads JSON Lines text held in memory. Never throws. */
export function parseJsonLinesText(text: string, file: string): ParseResult {
  const result: ParseResult = { papers: [], diagnostics: [] };
  const reader = new JsonLinesReader(file);
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((line, i) => reader.addLine(line, i + 1, result));
  reader.finish(result);
  assignUniqueIds(result.papers, result.diagnostics);
  return { papers: result.papers, diagnostics: limitDiagnostics(result.diagnostics, file) };
}

export interface JsonLinesStreamOptions {
  /** Papers per yielded batch. */
  batchSize?: number;
}

/**
 * Streams a JSON Lines file (or an already-open byte stream) and yields papers in batches. A path
 * ending in .gz is gunzipped on the way. Ids are kept unique across batches. Bytes are split into
 * lines before they are decoded, so a line with invalid UTF-8 (or a NUL byte) is read with U+FFFD in
 * place of the bad bytes and reported at its line; the lines around it are read as written.
 */
export async function* readJsonLinesPapers(
  input: string | AsyncIterable<Uint8Array | string>,
  file: string,
  options: JsonLinesStreamOptions = {},
): AsyncGenerator<ParseResult> {
  const batchSize = options.batchSize ?? 2000;
  const taken = new Map<string, PaperSource | undefined>();
  let batch: ParseResult = { papers: [], diagnostics: [] };
  const limit = new DiagnosticLimit(file);
  const flush = (): ParseResult => {
    assignUniqueIds(batch.papers, batch.diagnostics, taken);
    const out = { papers: batch.papers, diagnostics: limit.take(batch.diagnostics) };
    batch = { papers: [], diagnostics: [] };
    return out;
  };
  let stream: AsyncIterable<Uint8Array | string>;
  if (typeof input === 'string') {
    const raw = createReadStream(input);
    stream = input.toLowerCase().endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  } else {
    stream = input;
  }
  const reader = new JsonLinesReader(file);
  const encoding = new EncodingReporter(file);
  let lineNo = 0;
  const addLine = (text: string, damaged = false): void => {
    lineNo++;
    if (damaged) encoding.report(lineNo, batch.diagnostics);
    reader.addLine(lineNo === 1 ? text.replace(/^\uFEFF/, '') : text, lineNo, batch);
  };
  let pendingText = '';
  let pendingBytes: Buffer[] = [];
  try {
    for await (const chunk of stream) {
      if (typeof chunk === 'string') {
        // Only the new text can hold the next newline: rescanning `pendingText` would make one very
        // long line (a JSON array misnamed .jsonl) quadratic.
        const searchFrom = pendingText.length;
        pendingText += chunk;
        let start = 0;
        for (let nl = pendingText.indexOf('\n', searchFrom); nl !== -1; nl = pendingText.indexOf('\n', start)) {
          addLine(pendingText.slice(start, nl));
          start = nl + 1;
          if (batch.papers.length >= batchSize) yield flush();
        }
        pendingText = pendingText.slice(start);
        continue;
      }
      const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      let start = 0;
      for (let nl = bytes.indexOf(0x0a); nl !== -1; nl = bytes.indexOf(0x0a, start)) {
        // A line that spans chunks is joined once, when its end arrives: linear even for a 10 MB line.
        const piece = bytes.subarray(start, nl);
        const line = pendingBytes.length === 0 ? piece : Buffer.concat([...pendingBytes, piece]);
        pendingBytes = [];
        const { text, damaged } = decodeLine(line);
        addLine(text, damaged);
        start = nl + 1;
        if (batch.papers.length >= batchSize) yield flush();
      }
      if (start < bytes.length) pendingBytes.push(bytes.subarray(start));
    }
    if (pendingBytes.length > 0) {
      const { text, damaged } = decodeLine(Buffer.concat(pendingBytes));
      addLine(text, damaged);
    }
    if (pendingText !== '') addLine(pendingText);
  } catch (e) {
    batch.diagnostics.push({ file, line: lineNo + 1, severity: 'error', message: `reading stopped: ${e instanceof Error ? e.message : String(e)}` });
  }
  // The notes that count what was not listed come last, whatever the limit let through.
  const closing: ParseResult = { papers: [], diagnostics: [] };
  encoding.finish(closing.diagnostics);
  reader.finish(closing);
  const last = flush();
  const held = limit.summary();
  last.diagnostics.push(...closing.diagnostics, ...(held ? [held] : []));
  yield last;
}
