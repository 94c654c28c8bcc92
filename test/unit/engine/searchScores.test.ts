/**
 * Scores shown to users (palette, hovers, side pane, CLI) are on [0, 1] and mean the same in every
 * mode: fts shows BM25 over the query's best BM25, vector the cosine, hybrid a mix of the two.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { documentText, paperToRow } from '../../../src/engine/index/indexer';
import { PaperStore } from '../../../src/engine/store/paperStore';
import { SearchService } from '../../../src/engine/search/searchService';
import { TextEncoder } from '../../../src/engine/encoder/textEncoder';
import type { Paper } from '../../../src/shared/paper';

const TEXTS: [string, string][] = [
  ['BERT: pre-training of deep bidirectional transformers', 'We pre-train BERT, a bidirectional transformer language model, and fine-tune it for question answering and language inference.'],
  ['Distilling BERT into small students', 'A smaller BERT student keeps most of the accuracy of the teacher on language understanding benchmarks.'],
  ['Probing what BERT knows about syntax', 'Probing classifiers show that BERT layers encode syntactic trees of sentences.'],
  ['Superconductivity in copper oxide layers', 'Copper oxide planes carry the superconducting current; we measure the gap with tunnelling spectroscopy.'],
  ['Pressure tuning of cuprate superconductors', 'Hydrostatic pressure raises the critical temperature of layered copper oxides.'],
  ['Charge density waves in cuprates', 'X-ray scattering finds charge order competing with superconductivity in copper oxide compounds.'],
  ['Spin fluctuations and pairing', 'Antiferromagnetic spin fluctuations may glue the pairs in high temperature superconductors.'],
  ['Sentence embeddings from transformers', 'Siamese transformer networks produce sentence embeddings for semantic similarity search.'],
];

test('search, related and related-to-text scores stay in [0, 1] in every mode; fts shows 1 for the best match', async () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'atlas-scores-'));
  const encoder = await TextEncoder.open('atlas-mini-encoder', { providers: ['cpu'], threads: 2 });
  const store = await PaperStore.open(path.join(work, 'db'), 'papers', encoder.dims);
  try {
    const papers: Paper[] = TEXTS.map(([title, abstract], i) => ({ id: `p${i}`, title, abstract, authors: [], keywords: [], sources: [], contentHash: `h${i}` }));
    const vectors = await encoder.encode(
      papers.map((p) => documentText(p)),
      'document',
    );
    await store.add(papers.map((p, i) => paperToRow(p, vectors[i]!)));
    await store.maintain();
    const search = new SearchService(store, encoder);
    const inUnit = (hits: { score: number }[]): void => {
      assert.ok(hits.length > 0);
      for (const h of hits) assert.ok(h.score >= 0 && h.score <= 1, `score ${h.score} outside [0, 1]`);
    };
    for (const query of ['BERT', 'copper oxide superconductivity', 'how do transformers learn syntax of sentences?']) {
      for (const mode of ['fts', 'vector', 'hybrid'] as const) inUnit(await search.search(query, 5, mode));
    }
    const fts = await search.search('copper oxide superconductivity', 5, 'fts');
    assert.equal(fts[0]?.score, 1, 'the best full-text match of a query shows 1');
    // A one-word acronym leans lexical: the papers that contain it come first.
    const bert = await search.search('BERT', 3, 'hybrid');
    assert.deepEqual(bert.map((h) => h.id).sort(), ['p0', 'p1', 'p2']);
    inUnit(await search.related('p0', 5));
    inUnit(await search.related('p3', 5, 0.5));
    inUnit(await search.relatedToText('pairing of electrons in layered copper oxide superconductors', 5));
    assert.ok(!(await search.related('p3', 5)).some((h) => h.id === 'p3'), 'a paper is not its own related work');
  } finally {
    store.close();
    await encoder.release();
    rmSync(work, { recursive: true, force: true });
  }
});
