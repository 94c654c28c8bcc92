/**
 * RIS (EndNote, Scopus, Zotero exports): records from "TY  - " to "ER  - ", one tag per line. Lines
 * without a tag continue the previous tag; EndNote writes further keywords and affiliations that way.
 */
import type { IngestDiagnostic, Paper, ParseResult } from '../../shared/paper';
import { displayName } from '../authorName';
import { normaliseDoi } from '../paperIdentity';
import { assignUniqueIds, buildPaper, cleanText, limitDiagnostics, parseYear } from './paperRecord';

// The spec says "XX  - value"; real exports drop the trailing space on empty tags or use one space.
const TAG_LINE = /^([A-Z][A-Z0-9])\s{1,2}-(?: (.*)|\s*)$/;

interface RisRecord {
  line: number;
  tags: Map<string, string[]>;
}

function first(rec: RisRecord, ...tags: string[]): string | undefined {
  for (const tag of tags) {
    const value = rec.tags.get(tag)?.find((v) => v.trim() !== '');
    if (value !== undefined) return value;
  }
  return undefined;
}

function all(rec: RisRecord, ...tags: string[]): string[] {
  return tags.flatMap((t) => rec.tags.get(t) ?? []).filter((v) => v.trim() !== '');
}

/** "deRoon-Cassini, T. A." → "T. A. deRoon-Cassini"; "Smith, John, Jr." → "John Smith, Jr." (see displayName). */
function risName(name: string): string {
  const parts = name.split(',').map((p) => p.trim());
  if (parts.length === 2 && parts[1]) return displayName({ given: parts[1], family: parts[0] });
  if (parts.length === 3 && parts[1]) return displayName({ given: parts[1], family: parts[0], suffix: parts[2] });
  return name;
}

function recordToPaper(rec: RisRecord, file: string): Paper | undefined {
  const title = first(rec, 'TI', 'T1', 'CT', 'BT') ?? '';
  const abstract = first(rec, 'AB', 'N2') ?? '';
  if (cleanText(title) === '' && cleanText(abstract) === '') return undefined;
  const ownId = first(rec, 'ID')?.trim();
  const doi = normaliseDoi(first(rec, 'DO')?.trim().split(/\s+/)[0] ?? '');
  let authors = all(rec, 'AU', 'A1');
  if (authors.length === 0) authors = all(rec, 'A2', 'ED');
  return buildPaper(
    {
      // EndNote's ID is a record number ("139"), meaningless outside the file it came from; only an
      // ID that looks like a citation key is kept as the paper's id.
      id: ownId !== undefined && /[A-Za-z]/.test(ownId) ? ownId : doi !== undefined ? `doi:${doi}` : undefined,
      // Untitled records are kept for their abstract and shown under its opening words.
      title: cleanText(title) === '' ? `${cleanText(abstract).split(' ').slice(0, 12).join(' ')}…` : title,
      abstract,
      authors: authors.map(risName),
      year: parseYear(first(rec, 'PY')) ?? parseYear(first(rec, 'Y1')) ?? parseYear(first(rec, 'DA')),
      venue: first(rec, 'T2', 'JF', 'JO', 'J2', 'JA'),
      doi,
      url: first(rec, 'UR'),
      keywords: all(rec, 'KW'),
    },
    { file, line: rec.line },
  );
}

/** Reads an RIS file. Never throws: stray lines and unclosed records become diagnostics. */
export function parseRisText(text: string, file: string): ParseResult {
  const papers: Paper[] = [];
  const diagnostics: IngestDiagnostic[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  let rec: RisRecord | undefined;
  let lastTag: string | undefined;
  let strayReported = false;

  const finish = (): void => {
    if (!rec) return;
    const paper = recordToPaper(rec, file);
    if (paper) papers.push(paper);
    else diagnostics.push({ file, line: rec.line, severity: 'warning', message: 'record has no title or abstract; skipped' });
    rec = undefined;
    lastTag = undefined;
    // Tags after this record and before the next are a new run of strays (a record whose "TY  -"
    // line was lost): each run is reported, not only the file's first.
    strayReported = false;
  };

  lines.forEach((text, i) => {
    const line = i + 1;
    // Exports joined into one file (cat a.ris b.ris) carry each one's byte-order mark into a line.
    const raw = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    const m = TAG_LINE.exec(raw);
    if (m) {
      const tag = m[1] ?? '';
      const value = m[2] ?? '';
      if (tag === 'TY') {
        if (rec) {
          diagnostics.push({ file, line: rec.line, severity: 'warning', message: 'record not closed with "ER  -" before the next "TY  -"; read up to there' });
          finish();
        }
        rec = { line, tags: new Map() };
        lastTag = tag;
      } else if (tag === 'ER') {
        if (rec) finish();
        else diagnostics.push({ file, line, severity: 'warning', message: '"ER  -" without a record ("TY  -") to close' });
      } else if (rec) {
        const values = rec.tags.get(tag);
        if (values) values.push(value);
        else rec.tags.set(tag, [value]);
        lastTag = tag;
      } else if (!strayReported) {
        strayReported = true;
        diagnostics.push({ file, line, severity: 'warning', message: `tag "${tag}" outside a record (no "TY  -" before it); ignored` });
      }
      return;
    }
    if (raw.trim() === '' || !rec || lastTag === undefined) return;
    const values = rec.tags.get(lastTag);
    if (!values) return;
    // A continued keyword list has one keyword a line; continued text is one paragraph.
    if (lastTag === 'KW') values.push(raw.trim());
    else values[values.length - 1] = `${values[values.length - 1] ?? ''} ${raw.trim()}`;
  });
  if (rec) {
    diagnostics.push({ file, line: rec.line, severity: 'warning', message: 'file ends inside a record (no "ER  -"); read what was there' });
    finish();
  }
  assignUniqueIds(papers, diagnostics);
  return { papers, diagnostics: limitDiagnostics(diagnostics, file) };
}
