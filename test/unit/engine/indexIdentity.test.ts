/**
 * Which paper is which across incremental runs (issue 11, items 3–6 and 8): every case indexes a
 * sequence of file states one run at a time into one store, then compares that store with a store
 * indexed from scratch from the final files. Incremental indexing may only save work (parsing and
 * embedding); it may never decide which papers exist or what their ids are.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { indexFiles, paperToRow, stateFileFor } from '../../../src/engine/index/indexer';
import { PaperStore } from '../../../src/engine/store/paperStore';
import { TextEncoder } from '../../../src/engine/encoder/textEncoder';
import type { IndexSummary } from '../../../src/shared/engineProtocol';

let encoder: TextEncoder;
const work = mkdtempSync(path.join(os.tmpdir(), 'atlas-identity-'));
let dbCount = 0;

before(async () => {
  encoder = await TextEncoder.open('atlas-mini-encoder', { providers: ['cpu'], threads: 2 });
});
after(async () => {
  await encoder.release();
  rmSync(work, { recursive: true, force: true });
});

interface Index {
  store: PaperStore;
  run(files: readonly string[]): Promise<IndexSummary>;
  /** id -> "title | sources" of every row; ids listed twice show up as a count. */
  contents(): Promise<Map<string, string>>;
}

async function openIndex(): Promise<Index> {
  const db = path.join(work, `db${dbCount++}`);
  const store = await PaperStore.open(db, 'papers', encoder.dims);
  const state = stateFileFor(db, 'papers');
  return {
    store,
    run: (files) => indexFiles(files, store, encoder, state),
    async contents() {
      const out = new Map<string, string>();
      for (const p of await store.allPapers()) {
        const described = `${p.title} | ${p.sources.map((s) => `${path.basename(s.file)}:${s.line}`).join(' ')}`;
        out.set(p.id, out.has(p.id) ? `DUPLICATE ${out.get(p.id)} / ${described}` : described);
      }
      return out;
    },
  };
}

/** What a from-scratch index of `files` holds, for comparison. */
async function fromScratch(files: readonly string[]): Promise<Map<string, string>> {
  const index = await openIndex();
  try {
    await index.run(files);
    return await index.contents();
  } finally {
    index.store.close();
  }
}

function file(name: string, text: string): string {
  const p = path.join(work, name);
  writeFileSync(p, text);
  return p;
}

function sorted(m: Map<string, string>): [string, string][] {
  return [...m].sort(([a], [b]) => a.localeCompare(b));
}

test('a new short-titled paper is not matched to a different stored paper of the same title (item 3)', async () => {
  const a = file('item3-a.bib', '@article{ed1, title = {Editorial}, author = {Smith, Jane}, year = {2019}}\n');
  const index = await openIndex();
  try {
    await index.run([a]);
    const b = file('item3-b.bib', '@article{ed2, title = {Editorial}, author = {Jones, Kim}, year = {2021}}\n');
    const summary = await index.run([a, b]);
    assert.equal(summary.added, 1);
    assert.equal(summary.updated, 0);
    assert.deepEqual([...(await index.contents()).keys()].sort(), ['ed1', 'ed2']);
    assert.deepEqual(sorted(await index.contents()), sorted(await fromScratch([a, b])));
  } finally {
    index.store.close();
  }
});

test('the same citation key in two files: editing either file keeps the other file\'s paper and both ids (item 4)', async () => {
  const entry = (title: string, abstract: string): string => `@article{smith2020, title = {${title}}, author = {Smith, Ann}, year = {2020}, abstract = {${abstract}}}\n`;
  const a = file('item4-a.bib', entry('Graph neural networks for molecule property prediction', 'Message passing over atoms.'));
  const b = file('item4-b.bib', entry('Protein folding with evolutionary couplings revisited', 'Contacts from alignments.'));
  const index = await openIndex();
  try {
    await index.run([a, b]);
    const first = await index.contents();
    assert.equal(first.size, 2);
    // Edit only b, then only a: each run re-reads one file.
    file('item4-b.bib', entry('Protein folding with evolutionary couplings revisited', 'Contacts from alignments, now with templates.'));
    await index.run([a, b]);
    assert.deepEqual(sorted(await index.contents()), sorted(first), 'editing b renamed or dropped a paper');
    file('item4-a.bib', `% a comment that moves nothing\n${entry('Graph neural networks for molecule property prediction', 'Message passing over atoms and bonds.')}`);
    await index.run([a, b]);
    const third = await index.contents();
    assert.deepEqual([...third.keys()].sort(), [...first.keys()].sort(), 'editing a changed the ids');
    assert.deepEqual(sorted(third), sorted(await fromScratch([a, b])));
  } finally {
    index.store.close();
  }
});

test('a run parses again only the files that changed since this engine read them', async () => {
  const a = file('cache-a.bib', '@article{cachea, title = {A file that does not change between runs}, year = {2020}}\n');
  const b = file('cache-b.bib', '@article{cacheb, title = {A file that changes between runs}, year = {2020}}\n');
  const index = await openIndex();
  try {
    assert.equal((await index.run([a, b])).filesRead, 2);
    // Same size, new key: only the stamp (mtime, ctime) tells the file changed.
    await new Promise((resolve) => setTimeout(resolve, 20));
    file('cache-b.bib', '@article{cachec, title = {A file that changes between runs}, year = {2020}}\n');
    const summary = await index.run([a, b]);
    assert.equal(summary.filesRead, 1);
    assert.deepEqual([...(await index.contents()).keys()].sort(), ['cachea', 'cachec']);
  } finally {
    index.store.close();
  }
});

test('a same-title entry inserted above an indexed one: no ambiguous merge, both papers kept (item 5)', async () => {
  const entry = (key: string, doi: string, abstract: string): string =>
    `@article{${key}, title = {Deep learning on graph structured data}, author = {Lee, Min}, year = {2018}, doi = {${doi}}, abstract = {${abstract}}}\n`;
  const a = file('item5.bib', entry('lee2018a', '10.1000/one', 'The first of two papers with this title.'));
  const index = await openIndex();
  try {
    await index.run([a]);
    file('item5.bib', entry('lee2018b', '10.1000/two', 'The second paper, inserted above the first.') + entry('lee2018a', '10.1000/one', 'The first of two papers with this title.'));
    await index.run([a]);
    await index.run([a]); // the run after the insertion is the one that used to fail for good
    const contents = await index.contents();
    assert.deepEqual([...contents.keys()].sort(), ['lee2018a', 'lee2018b']);
    assert.deepEqual(sorted(contents), sorted(await fromScratch([a])));
  } finally {
    index.store.close();
  }
});

test('an index that already holds two rows with one id (left by an older version) is repaired by the next run (item 5)', async () => {
  const a = file('item5-dup.bib', '@article{dup2020, title = {Duplicated rows in one table}, author = {Roe, Ray}, year = {2020}}\n');
  const index = await openIndex();
  try {
    await index.run([a]);
    const [row] = (await index.store.fullRows(['dup2020'])).values();
    assert.ok(row);
    await index.store.add([{ ...row, vector: Array.from(row.vector) }]);
    assert.equal(await index.store.count(), 2);
    file('item5-dup.bib', '@article{dup2020, title = {Duplicated rows in one table}, author = {Roe, Ray}, year = {2020}, abstract = {Now with an abstract.}}\n');
    await index.run([a]);
    assert.equal(await index.store.count(), 1);
    assert.deepEqual(sorted(await index.contents()), sorted(await fromScratch([a])));
  } finally {
    index.store.close();
  }
});

test('the store refuses to send two rows with one id to a merge insert (item 5)', async () => {
  const index = await openIndex();
  try {
    const paper = { id: 'x', title: 'X', abstract: '', authors: [], keywords: [], sources: [], contentHash: '0' };
    const row = paperToRow(paper, new Array<number>(encoder.dims).fill(0));
    await assert.rejects(index.store.upsert([row, { ...row }]), /two rows with the id "x"/);
    assert.equal(await index.store.count(), 0);
  } finally {
    index.store.close();
  }
});

test('renaming a citation key replaces the old key with the new one, without re-embedding (item 6)', async () => {
  const entry = (key: string): string => `@article{${key}, title = {Sparse attention for long documents}, author = {Smith, Jo}, year = {2020}, abstract = {Attention over blocks.}}\n`;
  const a = file('item6.bib', entry('smtih2020'));
  const index = await openIndex();
  try {
    await index.run([a]);
    file('item6.bib', entry('smith2020'));
    const summary = await index.run([a]);
    assert.equal(summary.unchanged, 0);
    assert.equal(summary.embedded, 0, 'the text is the same; its vector is reused');
    assert.deepEqual([...(await index.contents()).keys()], ['smith2020']);
    assert.deepEqual(sorted(await index.contents()), sorted(await fromScratch([a])));
  } finally {
    index.store.close();
  }
});

test('files no longer indexed (excluded, not passed) leave the index although they still exist (item 8)', async () => {
  const a = file('item8-a.bib', '@article{kept2020, title = {A paper that stays in the library}, year = {2020}}\n');
  const b = file('item8-b.bib', '@article{gone2020, title = {A paper in a file that gets excluded}, year = {2020}}\n');
  const index = await openIndex();
  try {
    await index.run([a, b]);
    assert.equal(await index.store.count(), 2);
    const summary = await index.run([a]);
    assert.equal(summary.removed, 1);
    assert.deepEqual([...(await index.contents()).keys()], ['kept2020']);
  } finally {
    index.store.close();
  }
});
