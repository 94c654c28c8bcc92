/**
 * Seed texts for the parser fuzzers: the real exports in ../shared/data when present, the hand-written
 * fixtures always. Each seed is cut into entries by rules written here, independently of the parsers
 * (a BibTeX entry starts at an "@type{" line, an RIS record runs from "TY  -" to "ER  -", a JSON Lines
 * entry is a line, a CSL-JSON item is laid out by this module), so a test can corrupt one entry and
 * say where every other entry must still come out.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { LibraryFormat } from '../../../src/core/ingest/libraryReader';
import { fixturePath, sharedDataPath } from '../ingest/ingestTestPaths';

/** A run of lines, 1-based and inclusive. */
export interface LineSpan {
  start: number;
  end: number;
  /** Entries that other entries depend on (@string definitions) are not corrupted by isolation tests. */
  shared?: boolean;
}

export interface Seed {
  name: string;
  lines: string[];
  /** Entry spans in `lines`; empty for formats without entries the tests can cut out (notes, lists). */
  entries: LineSpan[];
  /** CSL-JSON: the items, so an excerpt is laid out as a whole array rather than cut from the lines. */
  items?: unknown[];
}

export interface Corpus {
  format: LibraryFormat;
  /** File extension the byte-level tests give their temporary files, so readLibraryFile picks the format. */
  ext: string;
  seeds: Seed[];
  /** Whether ../shared/data was found (otherwise only fixtures are fuzzed). */
  shared: boolean;
}

export const FORMATS: readonly LibraryFormat[] = ['bibtex', 'csl-json', 'ris', 'json-lines', 'pasted-list', 'markdown'];

const EXT: Record<LibraryFormat, string> = {
  bibtex: 'bib',
  'csl-json': 'csl.json',
  ris: 'ris',
  'json-lines': 'jsonl',
  'pasted-list': 'txt',
  markdown: 'md',
};

function splitLines(text: string): string[] {
  return text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
}

function bibEntries(lines: string[]): LineSpan[] {
  const starts: Array<{ line: number; shared: boolean }> = [];
  lines.forEach((l, i) => {
    const m = /^\s*@\s*(\w+)\s*[{(]/.exec(l);
    if (m?.[1]) starts.push({ line: i + 1, shared: /^(string|preamble|comment)$/i.test(m[1]) });
  });
  return starts.map((s, i) => ({ start: s.line, end: (starts[i + 1]?.line ?? lines.length + 1) - 1, shared: s.shared }));
}

function risEntries(lines: string[]): LineSpan[] {
  const spans: LineSpan[] = [];
  let start = 0;
  lines.forEach((l, i) => {
    if (/^TY {1,2}-/.test(l)) start = i + 1;
    else if (/^ER {1,2}-/.test(l) && start > 0) {
      spans.push({ start, end: i + 1 });
      start = 0;
    }
  });
  return spans;
}

function lineEntries(lines: string[]): LineSpan[] {
  return lines.flatMap((l, i) => (l.trim() === '' ? [] : [{ start: i + 1, end: i + 1 }]));
}

/**
 * A CSL-JSON array laid out as Zotero and Better BibTeX write it ("{" alone on a line at one indent,
 * fields deeper), built here so every item's lines are known exactly.
 */
export function layoutCslItems(items: readonly unknown[], indent: string): { lines: string[]; entries: LineSpan[] } {
  const lines = ['['];
  const entries: LineSpan[] = [];
  items.forEach((item, i) => {
    const itemLines = JSON.stringify(item, null, indent).split('\n').map((l) => indent + l);
    if (i < items.length - 1) itemLines[itemLines.length - 1] += ',';
    entries.push({ start: lines.length + 1, end: lines.length + itemLines.length });
    lines.push(...itemLines);
  });
  lines.push(']');
  return { lines, entries };
}

function cslSeed(name: string, path: string): Seed {
  const items = JSON.parse(readFileSync(path, 'utf8')) as unknown[];
  return { name, items, ...layoutCslItems(items, '  ') };
}

async function firstLines(path: string, count: number): Promise<string[]> {
  const input = createReadStream(path).pipe(createGunzip());
  const rl = createInterface({ input, crlfDelay: Infinity });
  const out: string[] = [];
  for await (const line of rl) {
    out.push(line);
    if (out.length >= count) break;
  }
  rl.close();
  input.destroy();
  return out;
}

function textSeed(name: string, path: string, entries: (lines: string[]) => LineSpan[]): Seed {
  const lines = splitLines(readFileSync(path, 'utf8'));
  return { name, lines, entries: entries(lines) };
}

/** The seeds of one format. `jsonLines` is how many arXiv listing lines to take (streamed from the .gz). */
export async function loadCorpus(format: LibraryFormat, jsonLines = 3000): Promise<Corpus> {
  const seeds: Seed[] = [];
  const shared = (rel: string): string | undefined => sharedDataPath(rel);
  const none = (): LineSpan[] => [];
  switch (format) {
    case 'bibtex':
      seeds.push(textSeed('malformed.bib', fixturePath('malformed.bib'), bibEntries));
      for (const f of ['papers3-export.bib', 'jabref-groups.bib', 'mendeley-export.bib', 'quirky-entries.bib', 'odd-field-names.bib']) {
        const p = shared(`bib/${f}`);
        if (p) seeds.push(textSeed(f, p, bibEntries));
      }
      break;
    case 'csl-json': {
      seeds.push(cslSeed('sample.csl.json', fixturePath('sample.csl.json')));
      const p = shared('bib/zotero-export.csl.json');
      if (p) seeds.push(cslSeed('zotero-export.csl.json', p));
      break;
    }
    case 'ris':
      seeds.push(textSeed('sample.ris', fixturePath('sample.ris'), risEntries));
      for (const n of [1, 2, 3]) {
        const p = shared(`ris/schoot-lgmm-ptsd-included-${n}.ris`);
        if (p) seeds.push(textSeed(`schoot-${n}.ris`, p, risEntries));
      }
      break;
    case 'json-lines': {
      seeds.push(textSeed('aliases.jsonl', fixturePath('aliases.jsonl'), lineEntries));
      const p = shared('arxiv/arxiv-listings.jsonl.gz');
      if (p) {
        const lines = await firstLines(p, jsonLines);
        seeds.push({ name: 'arxiv-listings.jsonl', lines, entries: lineEntries(lines) });
      }
      break;
    }
    case 'pasted-list': {
      const p = shared('daily-papers.txt');
      if (p) seeds.push(textSeed('daily-papers.txt', p, none));
      seeds.push(textSeed('second-list.md', fixturePath('second-list.md'), none));
      break;
    }
    case 'markdown':
      for (const f of ['zotero-note.md', 'obsidian-note.md', 'plain-note.md', 'second-list.md', 'bad-yaml-note.md']) seeds.push(textSeed(f, fixturePath(f), none));
      break;
  }
  return { format, ext: EXT[format], seeds, shared: sharedDataPath('') !== undefined };
}
