/**
 * CSL-JSON: the array of items Zotero and Better BibTeX export. JSON itself is all or nothing, so a
 * file that is not valid JSON is one diagnostic; within a valid array, an item that is not usable
 * (no title, not an object) is skipped with a diagnostic and the rest are read.
 */
import type { IngestDiagnostic, Paper, ParseResult } from '../../shared/paper';
import { assignUniqueIds, buildPaper, isRecord, LineIndex, parseYear, splitKeywords, stringField } from './paperRecord';

function cslName(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  const literal = stringField(value.literal);
  if (literal) return literal;
  const parts = [value.given, value['non-dropping-particle'], value.family, value.suffix].map(stringField).filter((p) => p);
  return parts.length ? parts.join(' ') : undefined;
}

function cslYear(issued: unknown): number | undefined {
  if (!isRecord(issued)) return parseYear(issued);
  const parts = issued['date-parts'];
  if (Array.isArray(parts) && Array.isArray(parts[0])) return parseYear(stringField(parts[0][0]));
  return parseYear(stringField(issued.raw) ?? stringField(issued.literal));
}

/** Zotero writes a preprint's arXiv id as its report number ("arXiv:2503.11731"). */
function arxivReference(item: Record<string, unknown>): string | undefined {
  const number = stringField(item.number);
  return number !== undefined && /arxiv/i.test(number) ? number : undefined;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Reads a CSL-JSON array. Lines are approximate: the line of the item's `"id": "…"`. */
export function parseCslJsonText(text: string, file: string): ParseResult {
  const papers: Paper[] = [];
  const diagnostics: IngestDiagnostic[] = [];
  let items: unknown;
  try {
    items = JSON.parse(text);
  } catch (e) {
    const pos = /position (\d+)/.exec(String(e))?.[1];
    const line = pos === undefined ? 0 : new LineIndex(text).lineAt(Number(pos));
    diagnostics.push({ file, line, severity: 'error', message: `not valid JSON: ${e instanceof Error ? e.message : String(e)}` });
    return { papers, diagnostics };
  }
  // Some exports wrap the array ({"items": [...]}); a single item is a one-item library.
  if (isRecord(items) && Array.isArray(items.items)) items = items.items;
  if (isRecord(items)) items = [items];
  if (!Array.isArray(items)) {
    diagnostics.push({ file, line: 1, severity: 'error', message: 'CSL-JSON must be an array of items' });
    return { papers, diagnostics };
  }
  const lines = new LineIndex(text);
  let cursor = 0;
  const lineOf = (id: string | undefined): number => {
    if (id === undefined) return 0;
    const re = new RegExp(`"id"\\s*:\\s*${escapeRegExp(JSON.stringify(id))}`, 'g');
    re.lastIndex = cursor;
    const m = re.exec(text) ?? ((re.lastIndex = 0), re.exec(text));
    if (!m) return 0;
    cursor = m.index;
    return lines.lineAt(m.index);
  };
  items.forEach((item: unknown, index) => {
    if (!isRecord(item)) {
      diagnostics.push({ file, line: 0, severity: 'warning', message: `item ${index + 1} is not an object; skipped` });
      return;
    }
    const key = stringField(item['citation-key']) ?? stringField(item.citationKey) ?? stringField(item.id);
    const line = lineOf(stringField(item.id));
    const title = stringField(item.title) ?? '';
    const abstract = stringField(item.abstract) ?? '';
    if (title.trim() === '' && abstract.trim() === '') {
      diagnostics.push({ file, line, severity: 'warning', message: `item ${key ?? index + 1} has no title or abstract; skipped` });
      return;
    }
    const authorList = Array.isArray(item.author) && item.author.length ? item.author : Array.isArray(item.editor) ? item.editor : [];
    const keywordValue = item.keyword ?? item.keywords;
    papers.push(
      buildPaper(
        {
          id: key,
          title: title.trim() === '' ? (key ?? '') : title,
          abstract,
          authors: authorList.map(cslName).filter((n): n is string => n !== undefined),
          year: cslYear(item.issued),
          venue: stringField(item['container-title']),
          doi: stringField(item.DOI),
          url: stringField(item.URL),
          arxivId: arxivReference(item),
          keywords: Array.isArray(keywordValue) ? keywordValue.map(stringField).filter((k): k is string => k !== undefined) : splitKeywords(stringField(keywordValue)),
        },
        { file, line },
      ),
    );
  });
  assignUniqueIds(papers, diagnostics);
  return { papers, diagnostics };
}
