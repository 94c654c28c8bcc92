/**
 * Model-based test of incremental indexing (fast-check commands): a model of a few .bib files and the
 * include/exclude choice is edited by random commands — add an entry, edit one, rename a key, reuse a key
 * in another file, insert a same-title entry above another, delete an entry or a file, exclude or
 * include a file. After every command the files are written, the one long-lived index is updated
 * incrementally, and it must hold exactly what indexing the same files from scratch holds: the same ids,
 * titles, metadata, sources and (within float noise) vectors, no id twice, and every entry of every
 * included file among the sources. Used by the short run in `npm test` and the long one in `npm run soak`.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { indexFiles, stateFileFor, type StateFile } from '../../../src/engine/index/indexer';
import { PaperStore } from '../../../src/engine/store/paperStore';
import type { TextEncoder } from '../../../src/engine/encoder/textEncoder';

interface Entry {
  key: string;
  title: string;
  author: string;
  year: number;
  doi: string | undefined;
  abstract: string;
}

interface LibraryModel {
  /** File name -> its entries, in order; a file that is not here does not exist. */
  files: Map<string, Entry[]>;
  excluded: Set<string>;
}

interface LibraryReal {
  dir: string;
  incremental: PaperStore;
  /** Kept across the sequence, as an engine keeps it: unchanged files come from its parse cache. */
  incrementalState: StateFile;
  reference: PaperStore;
  referenceDb: string;
  encoder: TextEncoder;
  written: Map<string, string>;
  runs: number;
}

// Small pools, so keys, titles and DOIs collide often: collisions are where identity goes wrong.
const FILES = ['a.bib', 'b.bib', 'c.bib'];
const KEYS = ['smith2020', 'smtih2020', 'lee2018', 'ed1', 'ed2'];
const TITLES = ['Editorial', 'Introduction', 'Deep learning on graph structured data', 'Sparse attention for long documents', 'Protein folding with evolutionary couplings'];
const AUTHORS = ['Smith, Jane', 'Jones, Kim', 'Lee, Min'];
const DOIS = [undefined, '10.1000/one', '10.1000/two'];
const ABSTRACTS = ['', 'Message passing over atoms.', 'Attention over blocks of tokens.'];

const entryArb: fc.Arbitrary<Entry> = fc.record({
  key: fc.constantFrom(...KEYS),
  title: fc.constantFrom(...TITLES),
  author: fc.constantFrom(...AUTHORS),
  year: fc.constantFrom(2018, 2020),
  doi: fc.constantFrom(...DOIS),
  abstract: fc.constantFrom(...ABSTRACTS),
});
const fileArb = fc.constantFrom(...FILES);

function render(entries: readonly Entry[]): string {
  return entries
    .map((e) => [`@article{${e.key},`, `  title = {${e.title}},`, `  author = {${e.author}},`, `  year = {${e.year}},`, ...(e.doi ? [`  doi = {${e.doi}},`] : []), `  abstract = {${e.abstract}}`, '}', ''].join('\n'))
    .join('\n');
}

/** The 1-based line each entry of a rendered file starts on. */
function entryLines(entries: readonly Entry[]): number[] {
  const lines: number[] = [];
  let line = 1;
  for (const e of entries) {
    lines.push(line);
    line += (e.doi ? 7 : 6) + 1; // the entry's lines and the blank line after it
  }
  return lines;
}

class LibraryCommand implements fc.AsyncCommand<LibraryModel, LibraryReal> {
  constructor(
    private readonly label: string,
    private readonly apply: (m: LibraryModel) => void,
    private readonly applicable: (m: LibraryModel) => boolean = () => true,
  ) {}

  check(m: Readonly<LibraryModel>): boolean {
    return this.applicable(m as LibraryModel);
  }

  async run(m: LibraryModel, r: LibraryReal): Promise<void> {
    this.apply(m);
    await syncAndCompare(m, r, this.label);
  }

  toString(): string {
    return this.label;
  }
}

const entriesOf = (m: LibraryModel, file: string): Entry[] => m.files.get(file) ?? [];
const at = <T>(list: readonly T[], i: number): T | undefined => (list.length === 0 ? undefined : list[i % list.length]);
const show = (e: Entry): string => `${e.key} "${e.title}" ${e.author} ${e.year}${e.doi ? ` ${e.doi}` : ''}${e.abstract ? ' +abstract' : ''}`;

export const commandArbs: fc.Arbitrary<fc.AsyncCommand<LibraryModel, LibraryReal>>[] = [
  fc.tuple(fileArb, entryArb, fc.boolean()).map(
    ([file, e, top]) =>
      new LibraryCommand(`add ${show(e)} to ${top ? 'the top of ' : ''}${file}`, (m) => {
        const list = [...entriesOf(m, file)];
        if (top) list.unshift(e);
        else list.push(e);
        m.files.set(file, list);
      }),
  ),
  fc.tuple(fileArb, fc.nat(), fc.constantFrom(...ABSTRACTS), fc.constantFrom(...TITLES), fc.constantFrom(...DOIS)).map(
    ([file, i, abstract, title, doi]) =>
      new LibraryCommand(
        `edit entry ${i} of ${file}: title "${title}", abstract "${abstract}", doi ${doi ?? 'none'}`,
        (m) => {
          const list = [...entriesOf(m, file)];
          const k = i % list.length;
          list[k] = { ...list[k]!, title, abstract, doi };
          m.files.set(file, list);
        },
        (m) => entriesOf(m, file).length > 0,
      ),
  ),
  fc.tuple(fileArb, fc.nat(), fc.constantFrom(...KEYS)).map(
    ([file, i, key]) =>
      new LibraryCommand(
        `rename the key of entry ${i} of ${file} to ${key}`,
        (m) => {
          const list = [...entriesOf(m, file)];
          const k = i % list.length;
          list[k] = { ...list[k]!, key };
          m.files.set(file, list);
        },
        (m) => entriesOf(m, file).length > 0,
      ),
  ),
  fc.tuple(fileArb, fc.nat(), fileArb, entryArb).map(
    ([from, i, to, e]) =>
      new LibraryCommand(
        `reuse the key of entry ${i} of ${from} for ${show(e)} in ${to}`,
        (m) => {
          const key = at(entriesOf(m, from), i)!.key;
          m.files.set(to, [...entriesOf(m, to), { ...e, key }]);
        },
        (m) => entriesOf(m, from).length > 0,
      ),
  ),
  fc.tuple(fileArb, fc.nat(), fc.constantFrom(...KEYS), fc.constantFrom(...DOIS)).map(
    ([file, i, key, doi]) =>
      new LibraryCommand(
        `insert a same-title entry ${key} (doi ${doi ?? 'none'}) above entry ${i} of ${file}`,
        (m) => {
          const list = [...entriesOf(m, file)];
          const k = i % list.length;
          list.splice(k, 0, { ...list[k]!, key, doi, abstract: ABSTRACTS[(ABSTRACTS.indexOf(list[k]!.abstract) + 1) % ABSTRACTS.length]! });
          m.files.set(file, list);
        },
        (m) => entriesOf(m, file).length > 0,
      ),
  ),
  fc.tuple(fileArb, fc.nat()).map(
    ([file, i]) =>
      new LibraryCommand(
        `delete entry ${i} of ${file}`,
        (m) => {
          const list = [...entriesOf(m, file)];
          list.splice(i % list.length, 1);
          m.files.set(file, list);
        },
        (m) => entriesOf(m, file).length > 0,
      ),
  ),
  fileArb.map(
    (file) =>
      new LibraryCommand(
        `delete ${file}`,
        (m) => {
          m.files.delete(file);
        },
        (m) => m.files.has(file),
      ),
  ),
  fileArb.map(
    (file) =>
      new LibraryCommand(`exclude or include ${file}`, (m) => {
        if (m.excluded.has(file)) m.excluded.delete(file);
        else m.excluded.add(file);
      }),
  ),
];

interface Described {
  row: string;
  vector: Float32Array;
}

async function describe(store: PaperStore): Promise<Map<string, Described>> {
  const out = new Map<string, Described>();
  const papers = await store.allPapers();
  const vectors = await store.vectors(papers.map((p) => p.id));
  for (const p of papers) {
    assert.ok(!out.has(p.id), `id ${p.id} is stored twice`);
    const row = JSON.stringify([p.title, p.abstract, p.authors, p.year ?? null, p.doi ?? null, p.contentHash, p.sources.map((s) => `${path.basename(s.file)}:${s.line}`)]);
    out.set(p.id, { row, vector: vectors.get(p.id) ?? new Float32Array() });
  }
  return out;
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

async function syncAndCompare(m: LibraryModel, r: LibraryReal, label: string): Promise<void> {
  for (const file of FILES) {
    const full = path.join(r.dir, file);
    const entries = m.files.get(file);
    if (entries === undefined) {
      rmSync(full, { force: true });
      r.written.delete(file);
      continue;
    }
    const text = render(entries);
    if (r.written.get(file) !== text) {
      writeFileSync(full, text);
      r.written.set(file, text);
    }
  }
  const included = FILES.filter((f) => m.files.has(f) && !m.excluded.has(f));
  const paths = included.map((f) => path.join(r.dir, f));
  await indexFiles(paths, r.incremental, r.encoder, r.incrementalState);
  await r.reference.clear();
  const referenceState = stateFileFor(r.referenceDb, 'papers');
  referenceState.clear();
  await indexFiles(paths, r.reference, r.encoder, referenceState);
  r.runs += 2;

  const got = await describe(r.incremental);
  const want = await describe(r.reference);
  const rows = (d: Map<string, Described>): [string, string][] => [...d].map(([id, x]): [string, string] => [id, x.row]).sort(([a], [b]) => a.localeCompare(b));
  assert.deepEqual(rows(got), rows(want), `after "${label}" the incremental index differs from a from-scratch one`);
  for (const [id, { vector }] of got) {
    const similarity = cosine(vector, want.get(id)!.vector);
    assert.ok(similarity > 0.999, `after "${label}" ${id} carries another paper's vector (cosine ${similarity.toFixed(4)})`);
  }
  // Independent of both runs: every entry of every included file is the source of a stored paper.
  const sources = new Set([...got.values()].flatMap((d) => (JSON.parse(d.row) as unknown[])[6] as string[]));
  for (const file of included) {
    for (const line of entryLines(entriesOf(m, file))) assert.ok(sources.has(`${file}:${line}`), `after "${label}" the entry at ${file}:${line} is in no paper`);
  }
}

export interface ModelRunOptions {
  encoder: TextEncoder;
  workDir: string;
  numRuns: number;
  maxCommands: number;
  seed: number;
}

/** Runs the property; returns the number of index runs it made (incremental and from scratch). */
export async function checkIncrementalMatchesFromScratch(o: ModelRunOptions): Promise<number> {
  let runs = 0;
  let n = 0;
  await fc.assert(
    // An indexed library to start from (a and b with a few entries each), then the edits.
    fc.asyncProperty(fc.array(entryArb, { minLength: 1, maxLength: 3 }), fc.array(entryArb, { maxLength: 3 }), fc.commands(commandArbs, { maxCommands: o.maxCommands }), async (a, b, cmds) => {
      const dir = path.join(o.workDir, `run${n++}`);
      mkdirSync(dir, { recursive: true });
      const incrementalDb = path.join(dir, 'db');
      const referenceDb = path.join(dir, 'reference');
      const real: LibraryReal = {
        dir,
        incrementalState: stateFileFor(incrementalDb, 'papers'),
        referenceDb,
        incremental: await PaperStore.open(incrementalDb, 'papers', o.encoder.dims),
        reference: await PaperStore.open(referenceDb, 'papers', o.encoder.dims),
        encoder: o.encoder,
        written: new Map(),
        runs: 0,
      };
      try {
        const model: LibraryModel = { files: new Map([['a.bib', a], ['b.bib', b]]), excluded: new Set<string>() };
        await syncAndCompare(model, real, 'the initial library');
        await fc.asyncModelRun(() => ({ model, real }), cmds);
      } finally {
        runs += real.runs;
        real.incremental.close();
        real.reference.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }),
    { numRuns: o.numRuns, seed: o.seed, includeErrorInReport: true },
  );
  return runs;
}
