/**
 * Property-based fuzzing of the library parsers (fast-check), shared by the fast tests in npm test and
 * the full soak runs. Four properties per format, each on excerpts of real exports:
 *
 *  - text: up to three mutations (truncation, random and structural characters, unbalanced braces,
 *    deep nesting, huge fields, BOMs, CRLF/CR, everything on one line) of the text; the parser must
 *    not throw and its result must be well formed (every diagnostic and paper on a line of the input).
 *  - bytes: the same plus byte damage (invalid UTF-8, NUL, cut multi-byte characters, UTF-16), read
 *    through readLibraryFile from a temporary file, as the indexer reads files.
 *  - isolation: one entry in the middle is corrupted; every other entry must come out exactly as it
 *    did from the clean text, and every new diagnostic must point into the corrupted entry.
 *  - byte isolation: an invalid byte in one entry is reported at exactly its line and every other
 *    entry is read as before.
 *  - scaling: each input that once blew a parser up (pathologicalInputs.ts) is parsed at n and 8n
 *    characters; CPU time growing much faster than the size fails, as do unbounded diagnostics.
 *
 * Cases run in a worker thread, so a parser that loops forever is caught (the worker reports each case
 * before running it and is terminated when one runs past the hang limit) instead of hanging the run.
 * Each case is timed, and a case slower than its bound fails the property.
 */
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { parseLibraryText, readLibraryFile, type LibraryFormat } from '../../../src/core/ingest/libraryReader';
import type { IngestDiagnostic, Paper, ParseResult } from '../../../src/shared/paper';
import { layoutCslItems, loadCorpus, type Corpus, type LineSpan, type Seed } from './fuzzCorpus';
import { measureScaling, PATHOLOGICAL_CASES, type ScalingResult } from './pathologicalInputs';

export type PropertyKind = 'text' | 'bytes' | 'isolation' | 'byteIsolation';

export interface FuzzJob {
  format: LibraryFormat;
  /** Cases per property; isolation properties are skipped for formats without entries. */
  runs: Record<PropertyKind, number>;
  seed: number;
  /** Size of the single-line cases (the seed on one line; one valid entry with a field this big). */
  bigLineBytes: number;
  /** A case may take this long plus `caseMsPerMB` per MB of input before it counts as too slow. */
  caseBaseMs: number;
  caseMsPerMB: number;
  /**
   * Size of the pathological inputs (see pathologicalInputs.ts), each parsed at this size and at
   * SCALE_FACTOR times it, failing when the time grows superlinearly; 0 skips them.
   */
  scalingBytes: number;
}

export interface FuzzReport {
  format: LibraryFormat;
  shared: boolean;
  seed: number;
  cases: Record<PropertyKind | 'bigLine', number>;
  total: number;
  crashes: number;
  hangs: number;
  slowestMs: number;
  slowestCase: string;
  bigLineMs: number;
  /** Size of the single-line cases. */
  bigLineBytes: number;
  /** Time at n and at SCALE_FACTOR n of each pathological input of the format. */
  scaling: ScalingResult[];
  failures: string[];
}

const WORKER_FLAG = 'paperAtlasFuzzJob';

/** True inside the fuzz worker: test files register their tests only when this is false. */
export const inFuzzWorker = !isMainThread && (workerData as Record<string, unknown> | null)?.[WORKER_FLAG] !== undefined;

// ---------------------------------------------------------------------------------------------------
// Mutations

type Payload =
  | { kind: 'chars'; text: string }
  | { kind: 'huge'; length: number }
  | { kind: 'nest'; open: string; depth: number; closed: boolean };

type TextMutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'duplicate'; at: number; length: number }
  | { kind: 'insert'; at: number; payload: Payload }
  | { kind: 'lineEndings'; to: '\r\n' | '\r' }
  | { kind: 'bom' }
  | { kind: 'oneLine' };

type ByteMutation =
  | { kind: 'insertBytes'; at: number; bytes: number[] }
  | { kind: 'truncateBytes'; at: number }
  | { kind: 'flipBit'; at: number; bit: number }
  | { kind: 'utf16'; bigEndian: boolean };

// Characters that mean something to one of the formats, or to text handling in general.
const STRUCTURAL = [
  '{', '}', '(', ')', '[', ']', '"', "'", '@', '=', ',', '#', '$', '%', '\\', '~', '<', '>', ':', '-', '\n', '\r\n', '\r', '\t',
  '\u0000', '\uFEFF', '\u2028', '\uD800', '\uDC00', '\u0301', 'TY  - ', 'ER  - ', 'TI  - ', '@article{', '@string{', '@comment{',
  '---\n', '{"title": "', '"title": ', '\\begin{', '\\"{o}', ' and ', '\n\n', '## Abstract\n',
];

const charsPayload: fc.Arbitrary<Payload> = fc
  .oneof(
    fc.array(fc.constantFrom(...STRUCTURAL), { minLength: 1, maxLength: 6 }).map((a) => a.join('')),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 24 }),
    fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 8 }),
  )
  .map((text) => ({ kind: 'chars' as const, text }));

const payload: fc.Arbitrary<Payload> = fc.oneof(
  { weight: 8, arbitrary: charsPayload },
  { weight: 1, arbitrary: fc.integer({ min: 10_000, max: 1_500_000 }).map((length) => ({ kind: 'huge' as const, length })) },
  {
    weight: 1,
    arbitrary: fc.record({ open: fc.constantFrom('{', '[', '(', '"', '$'), depth: fc.integer({ min: 10, max: 50_000 }), closed: fc.boolean() }).map((r) => ({ kind: 'nest' as const, ...r })),
  },
);

const at = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

const textMutation: fc.Arbitrary<TextMutation> = fc.oneof(
  { weight: 2, arbitrary: at.map((a) => ({ kind: 'truncate' as const, at: a })) },
  { weight: 2, arbitrary: fc.record({ at, length: fc.integer({ min: 1, max: 400 }) }).map((r) => ({ kind: 'delete' as const, ...r })) },
  { weight: 1, arbitrary: fc.record({ at, length: fc.integer({ min: 1, max: 2000 }) }).map((r) => ({ kind: 'duplicate' as const, ...r })) },
  { weight: 8, arbitrary: fc.record({ at, payload }).map((r) => ({ kind: 'insert' as const, ...r })) },
  { weight: 1, arbitrary: fc.constantFrom('\r\n' as const, '\r' as const).map((to) => ({ kind: 'lineEndings' as const, to })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'bom' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'oneLine' as const }) },
);

// Invalid UTF-8 of each kind: a stray continuation byte, 0xFF, an overlong NUL, an encoded surrogate,
// a code point past U+10FFFF, a cut three-byte sequence, a NUL byte.
const BAD_BYTES = [[0x80], [0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0x00], [0xfe, 0xff]];

const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ at, bytes: fc.oneof(fc.constantFrom(...BAD_BYTES), fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 16 })) }).map((r) => ({ kind: 'insertBytes' as const, ...r })) },
  { weight: 2, arbitrary: at.map((a) => ({ kind: 'truncateBytes' as const, at: a })) },
  { weight: 2, arbitrary: fc.record({ at, bit: fc.integer({ min: 0, max: 7 }) }).map((r) => ({ kind: 'flipBit' as const, ...r })) },
  { weight: 1, arbitrary: fc.boolean().map((bigEndian) => ({ kind: 'utf16' as const, bigEndian })) },
);

function hugeText(length: number): string {
  const words = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor ';
  return words.repeat(Math.ceil(length / words.length)).slice(0, length);
}

function payloadText(p: Payload): string {
  switch (p.kind) {
    case 'chars':
      return p.text;
    case 'huge':
      return hugeText(p.length);
    case 'nest': {
      const close: Record<string, string> = { '{': '}', '[': ']', '(': ')', '"': '"', $: '$' };
      return p.open.repeat(p.depth) + (p.closed ? (close[p.open] ?? '').repeat(p.depth) : '');
    }
  }
}

function describePayload(p: Payload): string {
  if (p.kind === 'chars') return JSON.stringify(p.text.length > 30 ? `${p.text.slice(0, 30)}…` : p.text);
  if (p.kind === 'huge') return `huge(${p.length})`;
  return `nest(${p.open}×${p.depth}${p.closed ? ', closed' : ''})`;
}

function describeMutation(m: TextMutation | ByteMutation): string {
  switch (m.kind) {
    case 'insert':
      return `insert@${m.at.toFixed(4)} ${describePayload(m.payload)}`;
    case 'insertBytes':
      return `insertBytes@${m.at.toFixed(4)} [${m.bytes.map((b) => b.toString(16)).join(' ')}]`;
    case 'delete':
    case 'duplicate':
      return `${m.kind}@${m.at.toFixed(4)}+${m.length}`;
    case 'truncate':
    case 'truncateBytes':
      return `${m.kind}@${m.at.toFixed(4)}`;
    case 'flipBit':
      return `flipBit@${m.at.toFixed(4)}.${m.bit}`;
    case 'lineEndings':
      return `lineEndings ${JSON.stringify(m.to)}`;
    case 'utf16':
      return `utf16${m.bigEndian ? 'be' : 'le'}`;
    default:
      return m.kind;
  }
}

function applyText(text: string, m: TextMutation): string {
  const pos = (a: number): number => Math.floor(a * (text.length + 1));
  switch (m.kind) {
    case 'truncate':
      return text.slice(0, pos(m.at));
    case 'delete':
      return text.slice(0, pos(m.at)) + text.slice(pos(m.at) + m.length);
    case 'duplicate':
      return text.slice(0, pos(m.at) + m.length) + text.slice(pos(m.at));
    case 'insert':
      return text.slice(0, pos(m.at)) + payloadText(m.payload) + text.slice(pos(m.at));
    case 'lineEndings':
      return text.replace(/\r?\n/g, m.to);
    case 'bom':
      return `\uFEFF${text}`;
    case 'oneLine':
      return text.replace(/\r?\n/g, ' ');
  }
}

function applyBytes(bytes: Buffer, m: ByteMutation): Buffer {
  const pos = Math.floor(('at' in m ? m.at : 0) * (bytes.length + 1));
  switch (m.kind) {
    case 'insertBytes':
      return Buffer.concat([bytes.subarray(0, pos), Buffer.from(m.bytes), bytes.subarray(pos)]);
    case 'truncateBytes':
      return bytes.subarray(0, pos);
    case 'flipBit': {
      const out = Buffer.from(bytes);
      if (pos < out.length) out[pos] = (out[pos] ?? 0) ^ (1 << m.bit);
      return out;
    }
    case 'utf16': {
      const le = Buffer.from(`\uFEFF${bytes.toString('utf8')}`, 'utf16le');
      return m.bigEndian ? le.swap16() : le;
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Excerpts and invariants

interface Excerpt {
  seed: Seed;
  /** First line of the excerpt in the seed, 1-based. */
  from: number;
  lines: string[];
  /** Entry spans renumbered to the excerpt. */
  entries: LineSpan[];
  label: string;
}

/** A window of whole entries (or the whole seed when it has none); `a` and `b` pick it. */
function excerpt(corpus: Corpus, seedPick: number, a: number, b: number, maxEntries: number): Excerpt {
  const seed = corpus.seeds[seedPick % corpus.seeds.length] as Seed;
  if (seed.entries.length === 0) return { seed, from: 1, lines: seed.lines, entries: [], label: seed.name };
  const count = 1 + Math.floor(b * Math.min(maxEntries, seed.entries.length));
  const first = Math.floor(a * (seed.entries.length - count + 1));
  if (seed.items) {
    // Zotero indents with tabs, Better BibTeX and JSON.stringify with spaces.
    const indent = first % 2 === 0 ? '  ' : '\t';
    const laid = layoutCslItems(seed.items.slice(first, first + count), indent);
    return { seed, from: 1, ...laid, label: `${seed.name}[items ${first}-${first + count - 1}]` };
  }
  const spans = seed.entries.slice(first, first + count);
  const from = spans[0]?.start ?? 1;
  const to = spans[spans.length - 1]?.end ?? seed.lines.length;
  return {
    seed,
    from,
    lines: seed.lines.slice(from - 1, to),
    entries: spans.map((s) => ({ ...s, start: s.start - from + 1, end: s.end - from + 1 })),
    label: `${seed.name}:${from}-${to}`,
  };
}

function lineCount(text: string): number {
  return 1 + Math.max((text.match(/\n/g) ?? []).length, (text.match(/\r\n|\r|\n/g) ?? []).length);
}

/** What every parse result must satisfy, whatever the input. */
function checkWellFormed(result: ParseResult, file: string, maxLine: number): void {
  assert.ok(Array.isArray(result.papers) && Array.isArray(result.diagnostics), 'result shape');
  const ids = new Set<string>();
  for (const d of result.diagnostics) {
    assert.equal(d.file, file, 'diagnostic file');
    assert.ok(Number.isInteger(d.line) && d.line >= 0 && d.line <= maxLine, `diagnostic line ${d.line} outside 0..${maxLine}: ${d.message}`);
    assert.ok(['error', 'warning', 'info'].includes(d.severity), `severity ${d.severity}`);
    assert.ok(typeof d.message === 'string' && d.message.length > 0, 'diagnostic message');
  }
  for (const p of result.papers) {
    assert.ok(typeof p.id === 'string' && p.id !== '', 'paper id');
    assert.ok(!ids.has(p.id), `duplicate id ${p.id}`);
    ids.add(p.id);
    assert.ok(typeof p.title === 'string' && p.title.trim() !== '', `paper ${p.id} has an empty title`);
    assert.equal(typeof p.abstract, 'string');
    assert.match(p.contentHash, /^[0-9a-f]{16}$/);
    const src = p.sources[0];
    assert.ok(src, `paper ${p.id} has no source`);
    assert.equal(src.file, file, 'paper source file');
    assert.ok(Number.isInteger(src.line) && src.line >= 1 && src.line <= maxLine, `paper ${p.id} at line ${src.line} outside 1..${maxLine}`);
  }
}

/** The fields a corruption elsewhere must not change (ids may be renumbered by duplicate handling). */
function summary(p: Paper): string {
  return JSON.stringify([p.title, p.abstract, p.authors, p.doi ?? null, p.arxivId ?? null, p.keywords]);
}

function byLine(result: ParseResult): Map<number, string> {
  const m = new Map<number, string>();
  for (const p of result.papers) m.set(p.sources[0]?.line ?? 0, summary(p));
  return m;
}

// Diagnostics about the file as a whole whose line is where something was first seen, not where the
// corruption is: duplicate ids and undefined @string names.
const NON_LOCAL = /duplicate id|undefined @string|more lines (were skipped|held invalid)/;

// Numbers in a message may change with a neighbour's damage ("item 4" becomes "item 3" when an item
// before it is lost, "near line 18" moves when an unclosed entry reads further), its line may not.
function diagnosticKey(d: IngestDiagnostic): string {
  return `${d.line}\u0000${d.message.replace(/\d+/g, '#')}`;
}

/** Every entry but the corrupted one comes out as before, and every new diagnostic points into it. */
function checkIsolation(clean: ParseResult, broken: ParseResult, entries: readonly LineSpan[], k: number, blank = false): void {
  const target = entries[k] as LineSpan;
  // One that lost what marks it as an entry ("@", "TY  -", "{") becomes text of the entry before it;
  // when that entry is itself broken (never closed), the text is read into it and the report is that
  // entry's error, at that entry's line.
  const previous = entries[k - 1];
  const previousBroken = previous !== undefined && clean.diagnostics.some((d) => d.severity === 'error' && d.line >= previous.start && d.line <= previous.end);
  const before = byLine(clean);
  const after = byLine(broken);
  for (const [j, span] of entries.entries()) {
    if (j === k) continue;
    for (let line = span.start; line <= span.end; line++) {
      const want = before.get(line);
      if (want !== undefined) assert.equal(after.get(line), want, `entry at line ${line} changed or lost when the entry at line ${target.start} was corrupted`);
    }
  }
  const old = new Set(clean.diagnostics.map(diagnosticKey));
  for (const d of broken.diagnostics) {
    if (old.has(diagnosticKey(d)) || NON_LOCAL.test(d.message)) continue;
    const inPrevious = previousBroken && previous !== undefined && d.line >= previous.start && d.line <= previous.end;
    assert.ok(inPrevious || (d.line >= target.start && d.line <= target.end), `diagnostic at line ${d.line} for a corruption in lines ${target.start}-${target.end}: ${d.message}`);
  }
  const inTarget = (line: number): boolean => line >= target.start && line <= target.end;
  const accounted = broken.papers.some((p) => inTarget(p.sources[0]?.line ?? 0)) || broken.diagnostics.some((d) => inTarget(d.line));
  const hadPaper = clean.papers.some((p) => inTarget(p.sources[0]?.line ?? 0));
  // An entry cut down to blank lines, or to a piece of its first line, is simply gone: nothing of it
  // is left to report.
  if (hadPaper && !blank && !previousBroken) assert.ok(accounted, `the corrupted entry at line ${target.start} is neither read nor reported`);
}

// ---------------------------------------------------------------------------------------------------
// Entry corruptions for the isolation property, confined to one entry's lines and keeping the line
// count, so every other entry stays on its lines.

interface Corruption {
  kind: 'unclose' | 'insert' | 'truncate' | 'delete';
  /** Where in the entry (fraction of its characters, or of its lines for truncate). */
  at: number;
  payload: Payload;
}

const corruption: fc.Arbitrary<Corruption> = fc.record({
  kind: fc.constantFrom('unclose' as const, 'insert' as const, 'insert' as const, 'truncate' as const, 'delete' as const),
  at,
  payload: fc.oneof({ weight: 6, arbitrary: charsPayload }, { weight: 1, arbitrary: payload }),
});

function withoutNewlines(text: string): string {
  return text.replace(/[\r\n\u2028]/g, ' ');
}

function corruptEntry(lines: string[], span: LineSpan, c: Corruption): string[] {
  const out = [...lines];
  const body = out.slice(span.start - 1, span.end);
  const text = body.join('\n');
  let next: string;
  switch (c.kind) {
    case 'unclose': {
      // The last closing bracket of the entry: the end of a BibTeX entry or CSL item, the end of a
      // JSON line. RIS records have none; there the "ER  -" line goes.
      const i = Math.max(text.lastIndexOf('}'), text.lastIndexOf(')'), text.lastIndexOf(']'));
      next = i === -1 ? text.replace(/^ER {1,2}-.*$/m, '') : text.slice(0, i) + text.slice(i + 1);
      break;
    }
    case 'insert': {
      const i = Math.floor(c.at * (text.length + 1));
      next = text.slice(0, i) + withoutNewlines(payloadText(c.payload)) + text.slice(i);
      break;
    }
    case 'delete': {
      // Up to 50 characters go; the line breaks among them stay.
      const i = Math.floor(c.at * text.length);
      const end = i + 1 + Math.floor(c.at * 50);
      next = text.slice(0, i) + text.slice(i, end).replace(/[^\n]/g, '') + text.slice(end);
      break;
    }
    case 'truncate': {
      const keep = Math.floor(c.at * body.length);
      next = body.map((l, i) => (i < keep ? l : '')).join('\n');
      if (keep > 0) next = next.replace(/^([^\n]*)/, (l) => l.slice(0, Math.ceil(l.length * c.at)));
      break;
    }
  }
  const nextLines = next.split('\n');
  assert.equal(nextLines.length, body.length, 'corruption kept the line count');
  out.splice(span.start - 1, body.length, ...nextLines);
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Running

interface CaseTimer {
  time<T>(bytes: number, label: string, run: () => T): T;
  timeAsync<T>(bytes: number, label: string, run: () => Promise<T>): Promise<T>;
}

function makeTimer(job: FuzzJob, report: FuzzReport): CaseTimer {
  const check = (ms: number, bytes: number, label: string): void => {
    if (ms > report.slowestMs) {
      report.slowestMs = ms;
      report.slowestCase = `${label} (${(bytes / 1e6).toFixed(2)} MB)`;
    }
    const limit = job.caseBaseMs + job.caseMsPerMB * (bytes / 1e6);
    assert.ok(ms <= limit, `case took ${ms.toFixed(0)} ms, over its bound of ${limit.toFixed(0)} ms: ${label}`);
  };
  return {
    time(bytes, label, run) {
      parentPort?.postMessage({ type: 'case', label });
      const t0 = performance.now();
      const out = run();
      check(performance.now() - t0, bytes, label);
      return out;
    },
    async timeAsync(bytes, label, run) {
      parentPort?.postMessage({ type: 'case', label });
      const t0 = performance.now();
      const out = await run();
      check(performance.now() - t0, bytes, label);
      return out;
    },
  };
}

/** Runs checks so that a failure names its case (fast-check reports the error's message). */
function labelled(label: string, check: () => void): void {
  try {
    check();
  } catch (e) {
    throw new Error(`${label}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** A parse that throws is a crash: caught here so it is counted and reported with its case. */
function parseOrCrash(report: FuzzReport, run: () => ParseResult): ParseResult {
  try {
    return run();
  } catch (e) {
    report.crashes++;
    throw e;
  }
}

function formatFailure(kind: string, details: fc.RunDetails<unknown>): string {
  const err = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  return `${kind}: failed after ${details.numRuns} cases (seed ${details.seed}, path ${details.counterexamplePath ?? '?'}): ${err.split('\n').slice(0, 6).join(' | ')}`;
}

async function runJob(job: FuzzJob): Promise<FuzzReport> {
  const corpus = await loadCorpus(job.format);
  const report: FuzzReport = {
    format: job.format,
    shared: corpus.shared,
    seed: job.seed,
    cases: { text: 0, bytes: 0, isolation: 0, byteIsolation: 0, bigLine: 0 },
    total: 0,
    crashes: 0,
    hangs: 0,
    slowestMs: 0,
    slowestCase: '',
    bigLineMs: 0,
    bigLineBytes: job.bigLineBytes,
    scaling: [],
    failures: [],
  };
  const timer = makeTimer(job, report);
  const tmp = mkdtempSync(path.join(tmpdir(), 'paper-atlas-fuzz-'));
  const tmpFile = path.join(tmp, `case.${corpus.ext}`);
  const file = `fuzz.${corpus.ext}`;
  const hasEntries = corpus.seeds.some((s) => s.entries.length >= 3);
  const seedPick = fc.nat();
  const params = (numRuns: number): fc.Parameters<unknown> => ({ seed: job.seed, numRuns, endOnFailure: false });
  // Cases tried: fast-check's count of runs (preconditions that did not hold and shrinking runs after a
  // failure are not cases), plus the failing one.
  const record = (kind: PropertyKind, details: fc.RunDetails<unknown>): void => {
    report.cases[kind] = details.numRuns + (details.failed ? 1 : 0);
    if (details.failed) report.failures.push(formatFailure(kind, details));
  };
  try {
    // text
    record(
      'text',
      fc.check(
        fc.property(seedPick, at, at, fc.array(textMutation, { minLength: 1, maxLength: 3 }), (s, a, b, muts) => {
          const ex = excerpt(corpus, s, a, b, 40);
          const text = muts.reduce(applyText, ex.lines.join('\n'));
          const label = `text ${ex.label} ${muts.map(describeMutation).join(', ')}`;
          const result = timer.time(text.length, label, () => parseOrCrash(report, () => parseLibraryText(text, file, job.format)));
          labelled(label, () => checkWellFormed(result, file, lineCount(text)));
        }),
        params(job.runs.text),
      ),
    );
    // bytes, through readLibraryFile as the indexer reads files
    record(
      'bytes',
      await fc.check(
        fc.asyncProperty(seedPick, at, at, fc.array(textMutation, { maxLength: 2 }), fc.array(byteMutation, { minLength: 1, maxLength: 2 }), async (s, a, b, muts, byteMuts) => {
          const ex = excerpt(corpus, s, a, b, 40);
          const bytes = byteMuts.reduce(applyBytes, Buffer.from(muts.reduce(applyText, ex.lines.join('\n')), 'utf8'));
          writeFileSync(tmpFile, bytes);
          const label = `bytes ${ex.label} ${[...muts, ...byteMuts].map(describeMutation).join(', ')}`;
          const result = await timer.timeAsync(bytes.length, label, async () => {
            try {
              return await readLibraryFile(tmpFile);
            } catch (e) {
              report.crashes++;
              throw e;
            }
          });
          // Every CR and LF byte read as one character: an upper bound on the lines as UTF-8 or UTF-16.
          const maxLine = lineCount(bytes.toString('latin1')) + 1;
          labelled(label, () => checkWellFormed(result, tmpFile, maxLine));
        }),
        params(job.runs.bytes),
      ),
    );
    if (hasEntries) {
      const entrySeeds = corpus.seeds.filter((sd) => sd.entries.length >= 3);
      const isoCorpus: Corpus = { ...corpus, seeds: entrySeeds };
      const pickTarget = (ex: Excerpt, t: number): number | undefined => {
        const candidates = ex.entries.flatMap((e, i) => (e.shared ? [] : [i]));
        return candidates[Math.floor(t * candidates.length)];
      };
      record(
        'isolation',
        fc.check(
          fc.property(seedPick, at, at, at, corruption, (s, a, b, t, c) => {
            const ex = excerpt(isoCorpus, s, a, 0.2 + 0.8 * b, 30);
            const k = pickTarget(ex, t);
            fc.pre(k !== undefined && ex.entries.length >= 2);
              const span = ex.entries[k as number] as LineSpan;
            const cleanText = ex.lines.join('\n');
            const brokenText = corruptEntry(ex.lines, span, c).join('\n');
            const label = `isolation ${ex.label} entry@${span.start} ${c.kind} ${describePayload(c.payload)}@${c.at.toFixed(4)}`;
            const clean = parseLibraryText(cleanText, file, job.format);
            const broken = timer.time(brokenText.length, label, () => parseOrCrash(report, () => parseLibraryText(brokenText, file, job.format)));
            const brokenLines = brokenText.split('\n').slice(span.start - 1, span.end);
            const gone = brokenLines.slice(1).every((l) => l.trim() === '') && (c.kind === 'truncate' || brokenLines[0]?.trim() === '');
            labelled(label, () => {
              checkWellFormed(broken, file, lineCount(brokenText));
              checkIsolation(clean, broken, ex.entries, k as number, gone);
            });
          }),
          { ...params(job.runs.isolation), maxSkipsPerRun: 1000 },
        ),
      );
      record(
        'byteIsolation',
        await fc.check(
          fc.asyncProperty(seedPick, at, at, at, at, fc.constantFrom(...BAD_BYTES), async (s, a, b, t, where, bad) => {
            const ex = excerpt(isoCorpus, s, a, 0.2 + 0.8 * b, 30);
            const k = pickTarget(ex, t);
            fc.pre(k !== undefined && ex.entries.length >= 2);
            const span = ex.entries[k as number] as LineSpan;
            const line = span.start + Math.floor(where * (span.end - span.start + 1));
            const lineText = ex.lines[line - 1] ?? '';
            const col = Math.floor(where * (lineText.length + 1));
            const before = [...ex.lines.slice(0, line - 1), lineText.slice(0, col)].join('\n');
            const after = [lineText.slice(col), ...ex.lines.slice(line)].join('\n');
            // Bytes FF FE or FE FF first are a UTF-16 byte-order mark, not damage.
            fc.pre(before !== '' || (bad[0] !== 0xfe && bad[0] !== 0xff));
              const bytes = Buffer.concat([Buffer.from(before, 'utf8'), Buffer.from(bad), Buffer.from(after, 'utf8')]);
            // A NUL among the first bytes makes the file binary: then the whole file is skipped, as
            // it says, and nothing else is checked.
            const binary = bad.includes(0) && Buffer.byteLength(before) < 8000;
            writeFileSync(tmpFile, bytes);
            const label = `byteIsolation ${ex.label} line ${line} col ${col} [${bad.map((x) => x.toString(16)).join(' ')}]`;
            const cleanFile = path.join(tmp, `clean.${corpus.ext}`);
            writeFileSync(cleanFile, ex.lines.join('\n'));
            const clean = await readLibraryFile(cleanFile);
            for (const p of clean.papers) for (const src of p.sources) src.file = tmpFile;
            for (const d of clean.diagnostics) d.file = tmpFile;
            const broken = await timer.timeAsync(bytes.length, label, () => readLibraryFile(tmpFile));
            labelled(label, () => {
              checkWellFormed(broken, tmpFile, ex.lines.length);
              if (binary) {
                assert.equal(broken.papers.length, 0);
                assert.match(broken.diagnostics[0]?.message ?? '', /binary/);
                return;
              }
              assert.ok(
                broken.diagnostics.some((d) => d.line === line && /UTF-8/.test(d.message)),
                `no encoding diagnostic at line ${line}: ${JSON.stringify(broken.diagnostics.slice(0, 3))}`,
              );
              checkIsolation(clean, broken, ex.entries, k as number);
            });
          }),
          { ...params(job.runs.byteIsolation), maxSkipsPerRun: 1000 },
        ),
      );
    }
    // One 10 MB line: the seed with its line breaks taken out, and a valid entry with one huge field
    // next to a normal one, which must both be read in full.
    if (job.bigLineBytes > 0) {
      const seedText = (corpus.seeds[corpus.seeds.length - 1] as Seed).lines.join(' ');
      const flat = seedText.repeat(Math.ceil(job.bigLineBytes / Math.max(1, seedText.length))).slice(0, job.bigLineBytes);
      for (const [label, text] of [['seed on one line', flat], ['one huge field', bigFieldText(job.format, job.bigLineBytes)]] as const) {
        report.cases.bigLine++;
        const t0 = performance.now();
        try {
          const result = timer.time(text.length, `bigLine ${label}`, () => parseOrCrash(report, () => parseLibraryText(text, file, job.format)));
          checkWellFormed(result, file, lineCount(text));
          if (label === 'one huge field') checkBigField(job.format, result, job.bigLineBytes);
        } catch (e) {
          report.failures.push(`bigLine ${label}: ${e instanceof Error ? e.message : String(e)}`);
        }
        report.bigLineMs = Math.max(report.bigLineMs, performance.now() - t0);
      }
    }
    // Time per input size on the inputs that once blew a parser up.
    if (job.scalingBytes > 0) {
      for (const c of PATHOLOGICAL_CASES.filter((pc) => pc.format === job.format)) {
        const result = measureScaling(c, job.scalingBytes, (label) => parentPort?.postMessage({ type: 'case', label }));
        report.scaling.push(result);
        if (result.failure !== undefined) report.failures.push(result.failure);
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  report.total = Object.values(report.cases).reduce((n, c) => n + c, 0);
  return report;
}

const BIG_TITLE = 'A Paper With One Enormous Abstract';
const SMALL_TITLE = 'Its Ordinary Neighbour';

/** A valid file of two entries: the first with an abstract of `size` characters on one line. */
function bigFieldText(format: LibraryFormat, size: number): string {
  const abs = hugeText(size);
  switch (format) {
    case 'bibtex':
      return `@article{big, title = {${BIG_TITLE}}, abstract = {${abs}}}\n@article{small, title = {${SMALL_TITLE}}}\n`;
    case 'csl-json':
      return JSON.stringify([{ id: 'big', title: BIG_TITLE, abstract: abs }, { id: 'small', title: SMALL_TITLE }]);
    case 'ris':
      return `TY  - JOUR\nTI  - ${BIG_TITLE}\nAB  - ${abs}\nER  - \nTY  - JOUR\nTI  - ${SMALL_TITLE}\nER  - \n`;
    case 'json-lines':
      return `${JSON.stringify({ id: 'big', title: BIG_TITLE, abstract: abs })}\n${JSON.stringify({ id: 'small', title: SMALL_TITLE })}\n`;
    case 'pasted-list':
      return `${BIG_TITLE}\n\n${abs}\n\n${SMALL_TITLE}\n\n${hugeText(400)}\n`;
    case 'markdown':
      return `---\ncitekey: big\ntitle: ${BIG_TITLE}\nabstract: ${abs}\n---\n`;
  }
}

function checkBigField(format: LibraryFormat, result: ParseResult, size: number): void {
  const big = result.papers.find((p) => p.title === BIG_TITLE);
  assert.ok(big, 'the entry with the huge field was lost');
  assert.equal(big.abstract.length, hugeText(size).trim().length, 'the huge abstract was cut');
  if (format !== 'markdown') assert.ok(result.papers.some((p) => p.title === SMALL_TITLE), 'the neighbour of the huge entry was lost');
}

// ---------------------------------------------------------------------------------------------------
// Worker plumbing

if (inFuzzWorker) {
  const job = (workerData as Record<string, FuzzJob>)[WORKER_FLAG] as FuzzJob;
  runJob(job).then(
    (report) => parentPort?.postMessage({ type: 'done', report }),
    (e: unknown) => parentPort?.postMessage({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
  );
}

/**
 * Runs a job in a worker thread of this same bundle. A case that runs longer than `hangMs` is a hang:
 * the worker is terminated and the report names the case.
 */
export function runFuzzJob(job: FuzzJob, hangMs: number): Promise<FuzzReport> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(__filename, { workerData: { [WORKER_FLAG]: job }, resourceLimits: { maxOldGenerationSizeMb: 4096 } });
    let last = '(loading the corpus)';
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        void worker.terminate();
        resolve({
          format: job.format,
          shared: false,
          seed: job.seed,
          cases: { text: 0, bytes: 0, isolation: 0, byteIsolation: 0, bigLine: 0 },
          total: 0,
          crashes: 0,
          hangs: 1,
          slowestMs: hangMs,
          slowestCase: last,
          bigLineMs: 0,
          bigLineBytes: job.bigLineBytes,
          scaling: [],
          failures: [`hang: no progress for ${hangMs} ms in case ${last}`],
        });
      }, hangMs);
    };
    arm();
    worker.on('message', (msg: { type: string; label?: string; report?: FuzzReport; message?: string }) => {
      if (msg.type === 'case') {
        last = msg.label ?? last;
        arm();
      } else if (msg.type === 'done' && msg.report) {
        clearTimeout(timer);
        resolve(msg.report);
        void worker.terminate();
      } else if (msg.type === 'error') {
        clearTimeout(timer);
        reject(new Error(`fuzz worker failed: ${msg.message ?? ''}`));
        void worker.terminate();
      }
    });
    worker.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** One row per format, for the soak output and the README. */
export function formatReportTable(reports: readonly FuzzReport[]): string {
  const rows = [
    '| format | cases (text / bytes / isolation / byte isolation / single line) | total | crashes | hangs | slowest case | single-line file (size) | failures |',
    '|---|---|---|---|---|---|---|---|',
    ...reports.map((r) => {
      const c = r.cases;
      return `| ${r.format}${r.shared ? '' : ' (fixtures only)'} | ${c.text} / ${c.bytes} / ${c.isolation} / ${c.byteIsolation} / ${c.bigLine} | ${r.total} | ${r.crashes} | ${r.hangs} | ${r.slowestMs.toFixed(0)} ms | ${r.bigLineMs.toFixed(0)} ms (${(r.bigLineBytes / 1024 / 1024).toFixed(0)} MB) | ${r.failures.length} |`;
    }),
  ];
  return rows.join('\n');
}
