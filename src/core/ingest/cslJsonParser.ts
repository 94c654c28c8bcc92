/**
 * CSL-JSON: the array of items Zotero and Better BibTeX export. JSON itself is all or nothing, so when
 * the file is not valid JSON it is cut into its items and each is parsed on its own: a broken item is
 * one diagnostic at its line and the items around it are still read. Within a valid array, an item
 * that is not usable (no title, not an object) is skipped with a diagnostic and the rest are read.
 */
import type { IngestDiagnostic, Paper, ParseResult } from '../../shared/paper';
import { displayName } from '../authorName';
import { assignUniqueIds, buildPaper, isRecord, limitDiagnostics, LineIndex, parseYear, splitKeywords, stringField } from './paperRecord';

function cslName(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  const literal = stringField(value.literal);
  if (literal) return displayName({ literal });
  const particles = [value['dropping-particle'], value['non-dropping-particle']].map(stringField).filter((p) => p).join(' ');
  const name = displayName({ given: stringField(value.given), prefix: particles, family: stringField(value.family), suffix: stringField(value.suffix) });
  return name === '' ? undefined : name;
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

/**
 * Where each id is written: every `"id": "…"` of the text, decoded, with its offsets in order. Built in
 * one pass; looking each item's id up in the text instead rescanned the whole file for every id not
 * written as JSON.stringify writes it (Python's json.dump escapes "é" as "\\u00e9"): 8,000 such items
 * took 18 s.
 */
function idOffsets(text: string): Map<string, number[]> {
  const offsets = new Map<string, number[]>();
  for (const m of text.matchAll(/"id"[ \t\r\n]*:[ \t\r\n]*("(?:[^"\\\n]|\\.)*")/g)) {
    let id: unknown;
    try {
      id = JSON.parse(m[1] ?? '');
    } catch {
      continue;
    }
    if (typeof id !== 'string') continue;
    const list = offsets.get(id);
    if (list) list.push(m.index);
    else offsets.set(id, [m.index]);
  }
  return offsets;
}

/** The first of the sorted `offsets` at or after `from`, else the first of all. */
function firstFrom(offsets: readonly number[], from: number): number | undefined {
  let lo = 0;
  let hi = offsets.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((offsets[mid] as number) < from) lo = mid + 1;
    else hi = mid;
  }
  return offsets[lo] ?? offsets[0];
}

interface ItemSlice {
  start: number;
  end: number;
}

/**
 * Where the items of an array that is not valid JSON begin and end. Pretty-printed exports (Zotero,
 * Better BibTeX, JSON.stringify with an indent) put each item's "{" and "}" alone on their lines at
 * one indentation, the shallowest of any "{" line; cutting at those lines means a damaged item (even
 * one whose own "{" line is damaged) cannot swallow the items after it. Other layouts are cut by
 * matching braces outside strings.
 */
function itemSlices(text: string): ItemSlice[] {
  // The array: the whole file, or the "items" of a wrapper object.
  const open = /^\s*\[|^\s*\{\s*"items"\s*:\s*\[/.exec(text.slice(0, 1000))?.[0].length ?? -1;
  if (open === -1) return [];
  // The item indentation: the shallowest of the lines that open or close an object, ignoring one that
  // occurs only once when another occurs more often (a damaged item's line must not set it).
  const counts = new Map<string, number>();
  for (const m of text.matchAll(/^([ \t]*)(?:\{|\},?)[ \t]*\r?$/gm)) counts.set(m[1] ?? '', (counts.get(m[1] ?? '') ?? 0) + 1);
  const byDepth = [...counts].sort((x, y) => x[0].length - y[0].length);
  const indent = (byDepth.find(([, n]) => n >= 2) ?? byDepth[0])?.[0];
  return indent === undefined ? bracketItemSlices(text, open) : prettyItemSlices(text, open, indent);
}

/** Items cut by matching brackets outside strings; exact for valid JSON, scalars included. */
function bracketItemSlices(text: string, open: number): ItemSlice[] {
  const slices: ItemSlice[] = [];
  let depth = 0;
  let inString = false;
  let start = -1;
  for (let i = open; i < text.length; i++) {
    const ch = text[i] ?? '';
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') {
        inString = false;
        if (depth === 0) slices.push({ start, end: i + 1 });
      }
    } else if (ch === '"') {
      inString = true;
      if (depth === 0) start = i;
    } else if (ch === '{' || ch === '[') {
      if (depth++ === 0) start = i;
    } else if ((ch === '}' || ch === ']') && depth > 0) {
      if (--depth === 0) slices.push({ start, end: i + 1 });
    } else if (ch === ']') break;
    else if (depth === 0 && /[^\s,]/.test(ch)) {
      const token = /[^\s,\]]+/y;
      token.lastIndex = i;
      token.exec(text);
      slices.push({ start: i, end: token.lastIndex });
      i = token.lastIndex - 1;
    }
  }
  if (depth > 0 || inString) slices.push({ start, end: text.length });
  return slices;
}

function prettyItemSlices(text: string, open: number, indent: string): ItemSlice[] {
  const slices: ItemSlice[] = [];
  let start = -1;
  const close = (end: number): void => {
    // Only text that holds more than the separators between items and the array's (and a wrapper
    // object's) closing brackets is an item.
    if (start !== -1 && /[^\s,\]}]/.test(text.slice(start, end))) slices.push({ start, end });
    start = -1;
  };
  for (let lineStart = text.lastIndexOf('\n', open) + 1; lineStart < text.length; ) {
    const nl = text.indexOf('\n', lineStart);
    const lineEnd = nl === -1 ? text.length : nl + 1;
    const line = text.slice(lineStart, lineEnd).replace(/\r?\n$/, '');
    const body = line.startsWith(indent) ? line.slice(indent.length) : undefined;
    if (body !== undefined && /^\{[ \t]*\r?$/.test(body)) {
      close(lineStart);
      start = lineStart + indent.length;
    } else if (body !== undefined && /^\}[ \t]*,?[ \t]*\r?$/.test(body) && start !== -1) {
      close(lineEnd);
    } else if (start === -1 && lineStart > open) {
      start = lineStart;
    }
    lineStart = lineEnd;
  }
  close(text.length);
  return slices;
}

/**
 * An item's text without what follows it: the "," between items, and the array's closing "]" after
 * the last one. Done from the end by hand: as a regular expression anchored at the end
 * (`[\s,]*(?:\]\s*)?$`) every white-space character of a long run started a new attempt, which made
 * a run of spaces inside an item quadratic.
 */
function trimItemEnd(item: string): string {
  let end = item.length;
  while (end > 0 && /\s/.test(item[end - 1] ?? '')) end--;
  if (item[end - 1] === ']') end--;
  while (end > 0 && /[\s,]/.test(item[end - 1] ?? '')) end--;
  return item.slice(0, end);
}

/** Parses each item of a broken array on its own; an item that is not JSON is a diagnostic at its line. */
function recoverItems(text: string, file: string, diagnostics: IngestDiagnostic[], itemLines: number[]): unknown[] | undefined {
  const slices = itemSlices(text);
  if (slices.length === 0) return undefined;
  const lines = new LineIndex(text);
  const items: unknown[] = [];
  for (const { start, end } of slices) {
    // An item's text runs to the next item: the "," between them, and the array's closing "]" after
    // the last one, are not part of it.
    const itemText = trimItemEnd(text.slice(start, end));
    try {
      items.push(JSON.parse(itemText));
      itemLines.push(lines.lineAt(start));
    } catch (e) {
      const pos = /position (\d+)/.exec(String(e))?.[1];
      const line = lines.lineAt(start + (pos === undefined ? 0 : Math.min(Number(pos), itemText.length)));
      diagnostics.push({ file, line, severity: 'error', message: `item is not valid JSON (${e instanceof Error ? e.message : String(e)}); skipped, the other items were read` });
    }
  }
  return items;
}

/** Reads a CSL-JSON array. Lines are approximate: the line of the item's `"id": "…"`. */
export function parseCslJsonText(text: string, file: string): ParseResult {
  const papers: Paper[] = [];
  const diagnostics: IngestDiagnostic[] = [];
  let items: unknown;
  // Lines of the items, where the array had to be cut into them (otherwise unknown: 0).
  const itemLines: number[] = [];
  try {
    items = JSON.parse(text);
  } catch (e) {
    items = recoverItems(text, file, diagnostics, itemLines);
    if (items === undefined) {
      const pos = /position (\d+)/.exec(String(e))?.[1];
      const line = pos === undefined ? 0 : new LineIndex(text).lineAt(Number(pos));
      diagnostics.push({ file, line, severity: 'error', message: `not valid JSON: ${e instanceof Error ? e.message : String(e)}` });
      return { papers, diagnostics: limitDiagnostics(diagnostics, file) };
    }
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
  let ids: Map<string, number[]> | undefined;
  const lineOf = (id: string | undefined): number => {
    if (id === undefined) return 0;
    ids ??= idOffsets(text);
    const at = firstFrom(ids.get(id) ?? [], cursor);
    if (at === undefined) return 0;
    cursor = at;
    return lines.lineAt(at);
  };
  // An item that is not an object has no "id" to find it by; its line comes from cutting the array
  // into items, done only when such an item turns up.
  let slices: ItemSlice[] | undefined;
  const nthItemLine = (index: number): number => {
    slices ??= bracketItemSlices(text, /^\s*\[|^\s*\{\s*"items"\s*:\s*\[/.exec(text)?.[0].length ?? 0);
    const slice = slices.length === (items as unknown[]).length ? slices[index] : undefined;
    return slice === undefined ? 0 : lines.lineAt(slice.start);
  };
  items.forEach((item: unknown, index) => {
    if (!isRecord(item)) {
      diagnostics.push({ file, line: itemLines[index] ?? nthItemLine(index), severity: 'warning', message: `item ${index + 1} is not an object; skipped` });
      return;
    }
    const key = stringField(item['citation-key']) ?? stringField(item.citationKey) ?? stringField(item.id);
    // Where the id is not found as JSON.stringify writes it (escapes written otherwise, a lone
    // surrogate), the item's first line.
    const line = lineOf(stringField(item.id)) || (itemLines[index] ?? nthItemLine(index));
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
  return { papers, diagnostics: limitDiagnostics(diagnostics, file) };
}
