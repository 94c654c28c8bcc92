/**
 * What every format parser shares once it has pulled raw fields out of its syntax: tidying text,
 * reading years and author lists, deriving ids and hashes, and keeping ids unique within a file.
 * Keeping this in one place is what makes a paper read from BibTeX and the same paper read from RIS
 * come out with the same title text, DOI spelling and content hash.
 */
import type { IngestDiagnostic, Paper, PaperSource } from '../../shared/paper';
import { cleanName } from '../authorName';
import { arxivIdOfDoi, contentHash, extractArxivId, fallbackId, normaliseDoi } from '../paperIdentity';

/** The fields a parser found, before normalisation. Only the title is required. */
export interface PaperDraft {
  id?: string | undefined;
  title: string;
  abstract?: string | undefined;
  authors?: readonly string[] | undefined;
  year?: number | undefined;
  venue?: string | undefined;
  doi?: string | undefined;
  url?: string | undefined;
  arxivId?: string | undefined;
  keywords?: readonly string[] | undefined;
}

/**
 * NFC, single-spaced and trimmed: line wrapping and indentation in the source carry no meaning, and
 * LaTeX accents decode to combining marks ("o\u0308") that must compare equal to the precomposed "ö".
 */
export function cleanText(text: string | undefined): string {
  const s = text ?? '';
  // NFC is a no-op on ASCII, which most of a 100k-paper dump is; the test is much cheaper than the call.
  const nfc = /[^\x00-\x7f]/.test(s) ? s.normalize('NFC') : s;
  return (/[^\S ]| {2}/.test(nfc) ? nfc.replace(/\s+/g, ' ') : nfc).trim();
}

function optionalText(text: string | undefined): string | undefined {
  const cleaned = cleanText(text);
  return cleaned === '' ? undefined : cleaned;
}

/** The first plausible year in a year or date value ("2014", "2019-03-21", "Sep 1998", 2004). */
export function parseYear(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 1000 && value <= 2999 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = /(?<!\d)([12]\d{3})(?!\d)/.exec(value);
  return m?.[1] ? Number(m[1]) : undefined;
}

/**
 * Author lists written as one string: BibTeX style "Smith, J. and Doe, A." (every name inverted,
 * turned into "J. Smith", "A. Doe"), "A and B", "Doe, J.; Roe, R.", or a plain list "A, B and C"
 * (arXiv's metadata dump writes authors that way).
 */
export function splitAuthorList(text: string): string[] {
  const s = cleanText(text);
  if (s === '') return [];
  const oneComma = (p: string): boolean => (p.match(/,/g) ?? []).length === 1;
  const turnAround = (p: string): string => p.replace(/^([^,]+),\s*(.+)$/, '$2 $1').trim();
  const parts = s.split(/\s+and\s+/i);
  if (parts.length > 1 && parts.every(oneComma)) return parts.map(turnAround);
  if (s.includes(';')) {
    return s
      .split(/\s*;\s*(?:and\s+)?/i)
      .map((p) => (oneComma(p) ? turnAround(p) : cleanText(p)))
      .filter((a) => a !== '');
  }
  return s
    .split(/\s*,\s*(?:and\s+)?|\s+and\s+/i)
    .map(cleanText)
    .filter((a) => a !== '');
}

/** Keywords from a delimited string or a list, trimmed and deduplicated case-insensitively. */
export function splitKeywords(value: string | readonly string[] | undefined): string[] {
  const raw = typeof value === 'string' ? value.split(/[,;]/) : (value ?? []);
  const seen = new Set<string>();
  const out: string[] = [];
  for (const k of raw) {
    const kw = cleanText(k);
    if (kw === '' || seen.has(kw.toLowerCase())) continue;
    seen.add(kw.toLowerCase());
    out.push(kw);
  }
  return out;
}

/** Turns a draft into a Paper: normalised DOI, arXiv id found wherever it is written, id and content hash. */
export function buildPaper(draft: PaperDraft, source: PaperSource): Paper {
  const title = cleanText(draft.title);
  const abstract = cleanText(draft.abstract);
  const doi = draft.doi === undefined ? undefined : normaliseDoi(draft.doi);
  const url = optionalText(draft.url);
  const arxivId =
    (draft.arxivId === undefined ? undefined : extractArxivId(draft.arxivId)) ??
    (doi === undefined ? undefined : arxivIdOfDoi(doi)) ??
    (url !== undefined && /arxiv\.org/i.test(url) ? extractArxivId(url) : undefined);
  const paper: Paper = {
    id: optionalText(draft.id) ?? arxivId ?? fallbackId(title),
    title,
    abstract,
    authors: (draft.authors ?? []).map((a) => cleanName(a, cleanText)).filter((a) => a !== ''),
    keywords: splitKeywords(draft.keywords),
    sources: [source],
    contentHash: contentHash(title, abstract),
  };
  const venue = optionalText(draft.venue);
  if (draft.year !== undefined) paper.year = draft.year;
  if (venue !== undefined) paper.venue = venue;
  if (doi !== undefined) paper.doi = doi;
  if (url !== undefined) paper.url = url;
  if (arxivId !== undefined) paper.arxivId = arxivId;
  return paper;
}

/**
 * Two different papers with one id would overwrite each other downstream (the id is the store key),
 * so later ones get "-2", "-3"… and a warning that points at the entry.
 */
export function assignUniqueIds(papers: Paper[], diagnostics: IngestDiagnostic[], taken: Map<string, PaperSource | undefined> = new Map()): void {
  // The next suffix to try for each repeated id: counting up from 2 every time made a file of
  // thousands of entries with one key quadratic.
  const nextSuffix = new Map<string, number>();
  for (const paper of papers) {
    if (!taken.has(paper.id)) {
      taken.set(paper.id, paper.sources[0]);
      continue;
    }
    let n = nextSuffix.get(paper.id) ?? 2;
    while (taken.has(`${paper.id}-${n}`)) n++;
    nextSuffix.set(paper.id, n + 1);
    const renamed = `${paper.id}-${n}`;
    const first = taken.get(paper.id);
    const firstAt = first ? ` (first used at ${first.file}:${first.line})` : '';
    const where = paper.sources[0] ?? { file: '', line: 0 };
    diagnostics.push({
      file: where.file,
      line: where.line,
      severity: 'warning',
      message: `duplicate id "${paper.id}"${firstAt}; this entry was renamed to "${renamed}"`,
    });
    paper.id = renamed;
    taken.set(renamed, where);
  }
}

/**
 * Problems listed one by one per file. A file that is not what its name says (a line of "@", 80,000
 * broken entries) would otherwise bury every other diagnostic and cost memory for each; past this
 * many, the rest are counted in one closing note.
 */
export const MAX_DIAGNOSTICS_PER_FILE = 100;

/**
 * Lets the first MAX_DIAGNOSTICS_PER_FILE diagnostics of one file through and counts the rest, for one
 * closing note with their number and the line of the first of them. For results that come in
 * batches (a streamed JSON Lines file); limitDiagnostics does the same for a whole result.
 */
export class DiagnosticLimit {
  private passed = 0;
  private held = 0;
  private firstHeldLine = 0;
  private worst: IngestDiagnostic['severity'] = 'info';

  constructor(private readonly file: string) {}

  /** The diagnostics of `batch` still within the limit. */
  take(batch: readonly IngestDiagnostic[]): IngestDiagnostic[] {
    const room = Math.max(0, MAX_DIAGNOSTICS_PER_FILE - this.passed);
    this.passed += Math.min(room, batch.length);
    for (const d of batch.slice(room)) {
      if (this.held++ === 0) this.firstHeldLine = d.line;
      if (d.severity === 'error' || (d.severity === 'warning' && this.worst === 'info')) this.worst = d.severity;
    }
    return batch.length <= room ? [...batch] : batch.slice(0, room);
  }

  /** The note about the diagnostics held back, if any. */
  summary(): IngestDiagnostic | undefined {
    if (this.held === 0) return undefined;
    return {
      file: this.file,
      line: this.firstHeldLine,
      severity: this.worst,
      message: `${this.held} more problems in this file are not listed one by one (the first of them is at this line)`,
    };
  }
}

/** A file's diagnostics within MAX_DIAGNOSTICS_PER_FILE, the rest counted in one closing note. */
export function limitDiagnostics(diagnostics: IngestDiagnostic[], file: string): IngestDiagnostic[] {
  if (diagnostics.length <= MAX_DIAGNOSTICS_PER_FILE) return diagnostics;
  const limit = new DiagnosticLimit(file);
  const kept = limit.take(diagnostics);
  const summary = limit.summary();
  if (summary) kept.push(summary);
  return kept;
}

/** 1-based line numbers for offsets into one text, by binary search over line starts. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  lineAt(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
}

/** Type guard for the plain objects JSON and YAML give back. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A string field, or a number written where a string was expected (years, ids). */
export function stringField(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}
