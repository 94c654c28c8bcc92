/**
 * Inputs that made a parser superlinear or unbounded, one generator per known blow-up, each making a
 * text of about a given size; and the check that time grows linearly with that size: each case is
 * parsed at a size and at SCALE_FACTOR times it, and fails when the larger takes more than
 * SCALE_LIMIT times as long (linear growth gives about SCALE_FACTOR; quadratic, its square).
 *
 * Time is the process's CPU time, not the clock: the fuzzers run on shared machines, where the clock
 * of a short case can triple under load while its CPU time stays put.
 */
import { performance } from 'node:perf_hooks';
import type { LibraryFormat } from '../../../src/core/ingest/libraryReader';
import { parseLibraryText } from '../../../src/core/ingest/libraryReader';
import { MAX_DIAGNOSTICS_PER_FILE } from '../../../src/core/ingest/paperRecord';
import type { ParseResult } from '../../../src/shared/paper';

export interface PathologicalCase {
  format: LibraryFormat;
  name: string;
  /** A text of about `bytes` characters. */
  make: (bytes: number) => string;
  /** Parsed at this many times the job's size (the library behind BibTeX reads ~10x slower than the rest). */
  sizeScale?: number;
}

export const SCALE_FACTOR = 8;
/** Linear is SCALE_FACTOR; this allows 3x that for noise, caches and the garbage collector. */
export const SCALE_LIMIT = 3 * SCALE_FACTOR;
/** Times under this are too short to compare: the smaller run counts as taking at least this long. */
const NOISE_FLOOR_MS = 15;

const repeatTo = (unit: string, bytes: number): string => unit.repeat(Math.max(1, Math.ceil(bytes / unit.length)));
const words = (n: number): string => 'lorem ipsum dolor sit amet '.repeat(n).trim();
const pythonJson = (items: unknown[]): string => JSON.stringify(items, null, 2).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

export const PATHOLOGICAL_CASES: readonly PathologicalCase[] = [
  // BibTeX
  {
    format: 'bibtex',
    name: 'doubling @string macros (1.3 KB: 25 s, 3.3 GB)',
    make: (bytes) => {
      const n = Math.max(2, Math.floor(bytes / 40));
      const defs = Array.from({ length: n }, (_, i) => (i === 0 ? '@string{m0 = "ab"}' : `@string{m${i} = m${i - 1} # m${i - 1}}`));
      return `@string{good = "Kept Journal"}\n${defs.join('\n')}\n@article{k, title = {T}, journal = good, note = m${n - 1}}\n`;
    },
  },
  { format: 'bibtex', name: 'a line of "@" after an entry (160 KB: 133 s)', make: (bytes) => `@article{k, title = {T}}\n${repeatTo('@', bytes)}\n` },
  { format: 'bibtex', name: 'a line of "@" inside an unclosed entry', make: (bytes) => `@article{k, title = {T},\n${repeatTo('@', bytes)}\n` },
  { format: 'bibtex', name: '"@a{" repeated on one line (80,000: 80,000 diagnostics)', make: (bytes) => repeatTo('@a{', bytes) },
  { format: 'bibtex', name: '"@a{" on every line', make: (bytes) => repeatTo('@a{\n', bytes) },
  { format: 'bibtex', name: '"@comment{" repeated on one line', make: (bytes) => repeatTo('@comment{', bytes) },
  { format: 'bibtex', name: '"}@a{x," repeated on one line', make: (bytes) => `@a{x,${repeatTo('}@a{x,', bytes)}` },
  {
    format: 'bibtex',
    name: 'thousands of @string and entries using them',
    make: (bytes) => {
      const n = Math.max(1, Math.floor(bytes / 70));
      return Array.from({ length: n }, (_, i) => `@string{s${i} = "Journal ${i}"}\n`).join('') + Array.from({ length: n }, (_, i) => `@article{k${i}, title = {T ${i}}, journal = s${i}}\n`).join('');
    },
    sizeScale: 4,
  },
  {
    format: 'bibtex',
    name: 'fields made of thousands of undefined macros',
    make: (bytes) => {
      const fields = Math.max(1, Math.round(bytes / 15_000));
      return `@article{k, title = {T},\n${Array.from({ length: fields }, (_, f) => `note${f} = ${Array.from({ length: 1500 }, (_, i) => `u${f}x${i}`).join(' # ')}`).join(',\n')}}\n`;
    },
    sizeScale: 2,
  },
  { format: 'bibtex', name: 'a run of spaces inside a field line', make: (bytes) => `@article{k,\n  title = {T},\n  note = x${repeatTo(' ', bytes)}y\n}\n` },
  { format: 'bibtex', name: 'a long word of "url" with "<" on its line', make: (bytes) => `@article{k,\n  title = {T},\n  ${repeatTo('url', bytes)} <\n}\n` },
  { format: 'bibtex', name: 'one citation key used by every entry', make: (bytes) => repeatTo('@article{same, title = {T}}\n', bytes) },
  // CSL-JSON
  {
    format: 'csl-json',
    name: 'ids escaped as Python writes them (8,000 items: 18 s)',
    make: (bytes) => pythonJson(Array.from({ length: Math.max(1, Math.floor(bytes / 80)) }, (_, i) => ({ id: `café-${i}`, title: `Café ${i}`, type: 'article' }))),
    // Quadratic in items, not bytes: a few hundred items are needed for it to show.
    sizeScale: 4,
  },
  { format: 'csl-json', name: 'a run of spaces in broken JSON', make: (bytes) => `[{"id": "a", "title": "x"${repeatTo(' ', bytes)}x}]` },
  { format: 'csl-json', name: 'unclosed items', make: (bytes) => `[${repeatTo('{"id": "a", "title": "t",\n', bytes)}` },
  { format: 'csl-json', name: 'one id used by every item', make: (bytes) => JSON.stringify(Array.from({ length: Math.max(1, Math.floor(bytes / 60)) }, () => ({ id: 'same', title: 'T' })), null, 2) },
  // RIS
  { format: 'ris', name: '"TY  -" lines never closed', make: (bytes) => repeatTo('TY  - JOUR\n', bytes) },
  { format: 'ris', name: '"ER  -" lines without records', make: (bytes) => repeatTo('ER  - \n', bytes) },
  { format: 'ris', name: 'one field continued over many lines', make: (bytes) => `TY  - JOUR\nTI  - x\n${repeatTo('more words\n', bytes)}ER  - \n` },
  { format: 'ris', name: 'one ID used by every record', make: (bytes) => repeatTo('TY  - JOUR\nID  - key\nTI  - T\nER  - \n', bytes) },
  // JSON Lines
  { format: 'json-lines', name: 'lines of "{"', make: (bytes) => repeatTo('{\n', bytes) },
  { format: 'json-lines', name: 'one id used by every line', make: (bytes) => repeatTo('{"id":"a","title":"t"}\n', bytes) },
  { format: 'json-lines', name: 'a run of spaces in a line', make: (bytes) => `{"id":"a",${repeatTo(' ', bytes)}"title":"t"\n` },
  // Pasted lists
  { format: 'pasted-list', name: 'a line of "](" pairs', make: (bytes) => `[${repeatTo('](', bytes)}\n\n${words(40)}\n` },
  { format: 'pasted-list', name: 'one title over and over', make: (bytes) => repeatTo(`Title\n\n${words(40)}\n\n`, bytes) },
  // Markdown
  {
    format: 'markdown',
    name: 'front matter of nested YAML aliases',
    make: (bytes) => {
      const n = Math.max(1, Math.floor(bytes / 30));
      const lines = Array.from({ length: n }, (_, i) => `a${i + 1}: &a${i + 1} [*a${i}, *a${i}]`);
      return `---\ntitle: T\ncitekey: k\na0: &a0 [x, x]\n${lines.join('\n')}\nauthors: *a${n}\ntags: *a${n}\n---\n`;
    },
  },
  { format: 'markdown', name: 'headings over paragraphs, no front matter', make: (bytes) => repeatTo(`## Heading\n\n${words(40)}\n\n`, bytes) },
  { format: 'markdown', name: '"# abstract" lines under front matter', make: (bytes) => `---\ntitle: T\ncitekey: k\n---\n${repeatTo('# abstract\n', bytes)}` },
  { format: 'markdown', name: 'a run of spaces in front matter', make: (bytes) => `---\ntitle: T${repeatTo(' ', bytes)}\ncitekey: k\n---\n` },
];

export interface ScalingResult {
  format: LibraryFormat;
  name: string;
  smallBytes: number;
  largeBytes: number;
  smallMs: number;
  largeMs: number;
  /** Diagnostics of the larger input (bounded by the per-file limit). */
  diagnostics: number;
  failure?: string;
}

function cpuMs(run: () => ParseResult): { ms: number; result: ParseResult } {
  const start = process.cpuUsage();
  const result = run();
  const used = process.cpuUsage(start);
  return { ms: (used.user + used.system) / 1000, result };
}

/**
 * Parses the case at `bytes` and at SCALE_FACTOR times that (once at a quarter size first, so the JIT
 * is warm) and checks the growth and the result's bounds. `onCase` is told before each parse (the
 * fuzz worker's hang watch).
 */
export function measureScaling(c: PathologicalCase, bytes: number, onCase: (label: string) => void = () => undefined): ScalingResult {
  const size = Math.round(bytes * (c.sizeScale ?? 1));
  const file = `pathological.${c.format}`;
  const parse = (text: string): ParseResult => parseLibraryText(text, file, c.format);
  onCase(`scaling ${c.format}: ${c.name} (warm-up)`);
  parse(c.make(Math.max(1, Math.round(size / 4))));
  const small = c.make(size);
  const large = c.make(size * SCALE_FACTOR);
  onCase(`scaling ${c.format}: ${c.name} (${small.length} chars)`);
  const s = cpuMs(() => parse(small));
  onCase(`scaling ${c.format}: ${c.name} (${large.length} chars)`);
  const t0 = performance.now();
  const l = cpuMs(() => parse(large));
  const wallMs = performance.now() - t0;
  const out: ScalingResult = {
    format: c.format,
    name: c.name,
    smallBytes: small.length,
    largeBytes: large.length,
    smallMs: s.ms,
    largeMs: l.ms,
    diagnostics: l.result.diagnostics.length,
  };
  const growth = l.ms / Math.max(s.ms, NOISE_FLOOR_MS);
  const sizeGrowth = large.length / Math.max(1, small.length);
  const problems: string[] = [];
  if (growth > SCALE_LIMIT * (sizeGrowth / SCALE_FACTOR)) {
    problems.push(`superlinear: ${s.ms.toFixed(0)} ms CPU at ${small.length} chars, ${l.ms.toFixed(0)} ms at ${large.length} (x${growth.toFixed(1)} for x${sizeGrowth.toFixed(1)} the size; ${wallMs.toFixed(0)} ms on the clock)`);
  }
  if (l.result.diagnostics.length > MAX_DIAGNOSTICS_PER_FILE + 1) problems.push(`${l.result.diagnostics.length} diagnostics for one file`);
  if (problems.length > 0) out.failure = `${c.format}: ${c.name}: ${problems.join('; ')}`;
  return out;
}

/** One row per case, for the soak output and the README. */
export function formatScalingTable(results: readonly ScalingResult[]): string {
  return [
    `| format | input | CPU time at n | CPU time at ${SCALE_FACTOR}n | growth | diagnostics | result |`,
    '|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.format} | ${r.name} | ${r.smallMs.toFixed(0)} ms (${(r.smallBytes / 1024).toFixed(0)} KB) | ${r.largeMs.toFixed(0)} ms (${(r.largeBytes / 1024).toFixed(0)} KB) | x${(r.largeMs / Math.max(r.smallMs, NOISE_FLOOR_MS)).toFixed(1)} | ${r.diagnostics} | ${r.failure === undefined ? 'linear' : 'FAILED'} |`,
    ),
  ].join('\n');
}
