/**
 * The host's catalog finds papers by the index's identity rules (src/core/paperIdentity.ts), not by a
 * copy of its own, and follows a renamed citation key: what hovers and Insert Citation read is the
 * catalog, filled from a real index the way the engine answers ListPapers.
 */
import { fake, fakeLog } from './fakeVscode';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type * as vscode from 'vscode';
import type { EngineClient } from '../../../src/engine/client/engineClient';
import { indexFiles, stateFileFor } from '../../../src/engine/index/indexer';
import { PaperStore } from '../../../src/engine/store/paperStore';
import { TextEncoder } from '../../../src/engine/encoder/textEncoder';
import { scanCitations } from '../../../src/host/hover/citationScanner';
import { PaperCatalog } from '../../../src/host/library/paperCatalog';

const work = mkdtempSync(path.join(os.tmpdir(), 'atlas-catalog-'));
let encoder: TextEncoder;
before(async () => {
  fake.reset();
  encoder = await TextEncoder.open('atlas-mini-encoder', { providers: ['cpu'], threads: 2 });
});
after(async () => {
  await encoder.release();
  rmSync(work, { recursive: true, force: true });
});

/** The engine's answers to the two requests the catalog makes, from a real store. */
function clientOf(store: PaperStore): EngineClient {
  return {
    listPapers: async (offset: number, limit: number) => ({ total: await store.count(), papers: await store.pageOfPapers(offset, limit) }),
    topicMap: () => Promise.reject(new Error('no topic map in this test')),
  } as unknown as EngineClient;
}

async function catalogOf(bib: string, run: (file: string, index: () => Promise<void>) => Promise<void>, check: (catalog: PaperCatalog) => void): Promise<void> {
  const file = path.join(work, `${Math.random().toString(36).slice(2)}.bib`);
  writeFileSync(file, bib);
  const db = path.join(work, path.basename(file, '.bib'));
  const store = await PaperStore.open(db, 'papers', encoder.dims);
  const catalog = new PaperCatalog(fakeLog() as unknown as vscode.LogOutputChannel);
  try {
    const index = async (): Promise<void> => {
      await indexFiles([file], store, encoder, stateFileFor(db, 'papers'));
      await catalog.refresh(clientOf(store), 'auto');
    };
    await index();
    await run(file, index);
    check(catalog);
  } finally {
    catalog.dispose();
    store.close();
  }
}

/** What the hover provider does with the token under the cursor. */
function hover(catalog: PaperCatalog, line: string): string | undefined {
  const token = scanCitations(line)[0];
  if (!token) return undefined;
  return (token.kind === 'key' ? catalog.get(token.text) : catalog.byDoiOrArxiv(token.text))?.id;
}

test('DOI and arXiv references in documents find papers by the index\'s identity rules', async () => {
  const bib = [
    '@article{eprintonly, title = {A paper known by its eprint only}, year = {2025}, eprint = {2503.11731}, archivePrefix = {arXiv}}',
    '@article{doionly, title = {A paper known by its DOI only}, year = {2019}, doi = {https://doi.org/10.1145/3292500.3330701}}',
    '@article{oldstyle, title = {An old style arXiv identifier}, year = {2003}, eprint = {math.GT/0309136}}',
  ].join('\n');
  await catalogOf(bib, async () => undefined, (catalog) => {
    // An arXiv DOI names the paper the index knows by its arXiv id (the index reads it that way too).
    assert.equal(hover(catalog, 'as shown in doi:10.48550/arXiv.2503.11731 before'), 'eprintonly');
    assert.equal(hover(catalog, 'see arXiv:2503.11731v3'), 'eprintonly');
    assert.equal(hover(catalog, 'https://doi.org/10.1145/3292500.3330701'), 'doionly');
    assert.equal(catalog.byDoiOrArxiv('10.1145/3292500.3330701.')?.id, undefined, 'a different DOI is a different paper');
    assert.equal(catalog.byDoiOrArxiv('arXiv:math.gt/0309136v2')?.id, 'oldstyle');
    // Digits inside an ordinary DOI are not an arXiv id.
    assert.equal(catalog.byDoiOrArxiv('10.1000/2503.11731'), undefined);
  });
});

test('a renamed citation key: hovers and Insert Citation see the new key, the old one is gone (item 6)', async () => {
  const entry = (key: string): string => `@article{${key}, title = {Sparse attention for long documents}, author = {Smith, Jo}, year = {2020}}\n`;
  await catalogOf(
    entry('smtih2020'),
    async (file, index) => {
      writeFileSync(file, entry('smith2020'));
      await index();
    },
    (catalog) => {
      assert.equal(catalog.version, 2, 'each index run is a new library version (hovers drop their cached related papers)');
      assert.equal(hover(catalog, 'as argued by [@smith2020]'), 'smith2020');
      assert.equal(hover(catalog, 'as argued by [@smtih2020]'), undefined);
      assert.deepEqual([...catalog.all()].map((p) => p.id), ['smith2020'], 'Insert Citation lists the catalog');
      catalog.clear();
      assert.equal(catalog.version, 3);
    },
  );
});
