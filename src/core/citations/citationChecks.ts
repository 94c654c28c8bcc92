/**
 * The checks behind the Problems panel's citation entries, pure so each rule is unit-tested:
 *
 * - a cited key that is not in the library, with the closest keys by spelling (an edit distance that
 *   counts a swap of two neighbouring letters as one typo) for its quick fix;
 * - one paper under two keys: the indexer merges a library's records by paperIdentity.ts's rules
 *   and keeps every record's place among the paper's sources; every indexed paper whose .bib entries
 *   carry different keys is a duplicate group, and a document citing two keys of one paper is told so;
 * - a .bib entry whose key nothing in the workspace cites (information, off by default).
 *
 * Keys compare case-insensitively, as BibTeX's do.
 */
import type { PaperSource } from '../../shared/paper';

// ------------------------------------------------------------------------------------ spelling

/**
 * Optimal string alignment distance (insertions, deletions, substitutions and swaps of neighbours,
 * each 1), or `max + 1` as soon as it must exceed `max`: most keys of a large library are far from
 * the typed one and are dropped after a row or two.
 */
export function boundedEditDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prevPrev: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_v, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prevPrev[j - 2]! + 1);
      row.push(d);
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return max + 1;
    prevPrev = prev;
    prev = row;
  }
  return Math.min(prev[b.length]!, max + 1);
}

/** Typos allowed for a key of this length: 2 for short keys, about one in four characters for long ones, at most 5. */
export function maxTypos(length: number): number {
  return Math.min(5, Math.max(2, Math.floor(length / 4)));
}

/**
 * The library keys closest to `wanted` by spelling, closest first (ties: alphabetical): within
 * maxTypos of it, or starting with it when it has 4 characters or more (a key typed half-way).
 */
export function closestKeysBySpelling(wanted: string, keys: Iterable<string>, limit = 3): string[] {
  const w = wanted.toLowerCase();
  if (w === '' || limit <= 0) return [];
  const max = maxTypos(w.length);
  const found: { key: string; score: number }[] = [];
  for (const key of keys) {
    const k = key.toLowerCase();
    if (k === w) continue;
    const d = boundedEditDistance(w, k, max);
    if (d <= max) found.push({ key, score: d });
    else if (w.length >= 4 && k.startsWith(w)) found.push({ key, score: max + 0.5 });
  }
  found.sort((a, b) => a.score - b.score || a.key.localeCompare(b.key));
  return found.slice(0, limit).map((f) => f.key);
}

// ------------------------------------------------------------------------------------ the library's keys

export interface BibEntryRef {
  key: string;
  file: string;
  /** 1-based, as PaperSource. */
  line: number;
}

export interface DuplicateGroup {
  /** The entry whose key the paper is indexed under, then the others, in source order. */
  entries: BibEntryRef[];
  reason: string;
}

export interface LibraryKeys {
  /** Lowercased key → the key as written and the id of the indexed paper it belongs to (itself unless a duplicate). */
  known: Map<string, { key: string; canonical: string }>;
  duplicates: DuplicateGroup[];
  /** Every .bib entry, in the order given. */
  entries: BibEntryRef[];
}

/** What the library's keys are read from: an indexed paper's id and every place it was read from. */
export interface IndexedPaper {
  id: string;
  sources: readonly PaperSource[];
}

const at = (file: string, line: number): string => `${file}\u0000${line}`;

export const DUPLICATE_REASON = 'the index merged them: the same DOI, arXiv id or title';

/**
 * The `@type{key,` headers of a .bib file's lines, 1-based as PaperSource (not @string, @preamble or
 * @comment). A header split over two lines is not found; its entry is then simply not checked.
 */
export function bibEntryHeaders(lines: readonly string[], file: string): BibEntryRef[] {
  const found: BibEntryRef[] = [];
  lines.forEach((text, i) => {
    if (text.length > 10_000) return;
    const m = /^\s*@\s*(\w+)\s*[{(]\s*([^,\s{}()]+)\s*,/.exec(text);
    if (m?.[2] && !/^(comment|string|preamble)$/i.test(m[1] ?? '')) found.push({ key: m[2], file, line: i + 1 });
  });
  return found;
}

/**
 * The keys of the library. The indexer has already decided which entries are one paper (mergePapers,
 * by paperIdentity.ts's identity keys and conflicting identifiers) and lists every entry of a paper
 * in its sources; an entry is matched to its paper by file and line, so no second identity rule is
 * needed here (and the host does not parse BibTeX). `papers` are the indexed papers, `bibEntries`
 * the entries the .bib files hold now.
 */
export function libraryKeys(papers: Iterable<IndexedPaper>, bibEntries: readonly BibEntryRef[]): LibraryKeys {
  const known = new Map<string, { key: string; canonical: string }>();
  const paperAt = new Map<string, IndexedPaper>();
  const indexed: IndexedPaper[] = [];
  for (const p of papers) {
    indexed.push(p);
    known.set(p.id.toLowerCase(), { key: p.id, canonical: p.id });
    for (const s of p.sources) paperAt.set(at(s.file, s.line), p);
  }
  const entriesOf = new Map<IndexedPaper, BibEntryRef[]>();
  for (const e of bibEntries) {
    const paper = paperAt.get(at(e.file, e.line));
    // An entry the index does not hold (malformed, or added since the last run) is no key of the library yet.
    if (!paper) continue;
    if (!known.has(e.key.toLowerCase())) known.set(e.key.toLowerCase(), { key: e.key, canonical: paper.id });
    const list = entriesOf.get(paper) ?? [];
    list.push(e);
    entriesOf.set(paper, list);
  }
  const duplicates: DuplicateGroup[] = [];
  for (const p of indexed) {
    const list = entriesOf.get(p);
    if (!list) continue;
    const order = new Map(p.sources.map((s, i) => [at(s.file, s.line), i]));
    const byKey = new Map<string, BibEntryRef>();
    for (const e of [...list].sort((a, b) => (order.get(at(a.file, a.line)) ?? 0) - (order.get(at(b.file, b.line)) ?? 0))) {
      if (!byKey.has(e.key.toLowerCase())) byKey.set(e.key.toLowerCase(), e);
    }
    if (byKey.size < 2) continue;
    const entries = [...byKey.values()];
    const own = entries.findIndex((e) => e.key.toLowerCase() === p.id.toLowerCase());
    if (own > 0) entries.unshift(...entries.splice(own, 1));
    duplicates.push({ entries, reason: DUPLICATE_REASON });
  }
  return { known, duplicates, entries: [...bibEntries] };
}

// ------------------------------------------------------------------------------------ checks

export interface CitedKey {
  key: string;
  /** 0-based line and character offsets, end exclusive. */
  line: number;
  start: number;
  end: number;
}

export type CitationProblem =
  | { kind: 'unknownKey'; at: CitedKey; message: string }
  | { kind: 'samePaperTwoKeys'; at: CitedKey; other: CitedKey; message: string };

/** The problems of one document's citations (in document order). */
export function documentProblems(citations: readonly CitedKey[], library: LibraryKeys): CitationProblem[] {
  const problems: CitationProblem[] = [];
  const firstByPaper = new Map<string, CitedKey>();
  const reasons = new Map(library.duplicates.flatMap((g) => g.entries.map((e) => [e.key.toLowerCase(), g.reason] as const)));
  for (const c of citations) {
    const entry = library.known.get(c.key.toLowerCase());
    if (!entry) {
      problems.push({ kind: 'unknownKey', at: c, message: `The citation key "${c.key}" is not in the library.` });
      continue;
    }
    const paper = entry.canonical.toLowerCase();
    const first = firstByPaper.get(paper);
    if (!first) firstByPaper.set(paper, c);
    else if (first.key.toLowerCase() !== c.key.toLowerCase()) {
      const why = reasons.get(c.key.toLowerCase()) ?? reasons.get(first.key.toLowerCase());
      problems.push({
        kind: 'samePaperTwoKeys',
        at: c,
        other: first,
        message: `"${c.key}" and "${first.key}" (line ${first.line + 1}) are the same paper${why ? ` (${why})` : ''}: cite it under one key.`,
      });
    }
  }
  return problems;
}

export interface BibProblem {
  kind: 'duplicateEntry' | 'unusedEntry';
  entry: BibEntryRef;
  /** For a duplicate: the entry the paper is indexed under. */
  first?: BibEntryRef;
  message: string;
}

/**
 * The problems of the library's .bib entries: each entry after the first of a duplicate group, and,
 * when `cited` is given (the keys cited anywhere in the workspace, lowercased), each entry cited nowhere.
 */
export function bibProblems(library: LibraryKeys, cited?: ReadonlySet<string>): BibProblem[] {
  const problems: BibProblem[] = [];
  for (const g of library.duplicates) {
    const [first, ...rest] = g.entries;
    if (!first) continue;
    for (const e of rest) {
      problems.push({ kind: 'duplicateEntry', entry: e, first, message: `"${e.key}" is the same paper as "${first.key}" (${g.reason}); the library indexes it once, under "${first.key}".` });
    }
  }
  if (cited) {
    for (const e of library.entries) {
      if (!cited.has(e.key.toLowerCase())) problems.push({ kind: 'unusedEntry', entry: e, message: `"${e.key}" is cited in no Markdown or LaTeX file of the workspace.` });
    }
  }
  return problems;
}
