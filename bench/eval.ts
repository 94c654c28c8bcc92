/**
 * `npm run eval`: the dev evaluation of the bundled models on the held-out arXiv split.
 *
 * Related papers — title → own-abstract retrieval among all held-out abstracts (MRR@10, recall@10),
 * and "top-10 neighbours share the primary arXiv category" precision — for BM25 (LanceDB full-text
 * search, what `--mode fts` runs), the encoder alone, and their RRF hybrid (what search ships).
 * Masked LM — masked-token accuracy and pseudo-perplexity on held-out abstracts.
 *
 * Flags: --limit N (held-out papers, default all), --neighbours N (papers whose neighbours are
 * checked, default 1000), --model ID, --mlm ID, --threads N, --json FILE.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { reciprocalRankFusion, type Scored } from '../src/core/ranking';
import { hitAt, mean, precisionAt, reciprocalRankAt } from '../src/core/retrievalMetrics';
import { paperToRow } from '../src/engine/indexer';
import { PaperStore } from '../src/engine/paperStore';
import { TextEncoder } from '../src/engine/textEncoder';
import type { Paper } from '../src/shared/paper';
import { heldOutArxiv, readArxivListings, type ArxivListing } from './heldOutData';
import { evaluateMaskedLm } from './mlmEval';

const { values } = parseArgs({
  options: {
    limit: { type: 'string' },
    neighbours: { type: 'string', default: '1000' },
    model: { type: 'string', default: 'atlas-mini-encoder' },
    mlm: { type: 'string', default: 'atlas-mini-mlm' },
    threads: { type: 'string', default: '2' },
    json: { type: 'string' },
    'skip-mlm': { type: 'boolean' },
  },
});

interface RelatedRow {
  method: string;
  mrr10: number;
  recall10: number;
  categoryP10: number;
}

function asPaper(p: ArxivListing): Paper {
  // Documents are abstracts only: the query is the title, so it must not be inside the document.
  return { id: p.id, title: '', abstract: p.abstract, authors: [], keywords: p.categories, sources: [], contentHash: p.id };
}

async function relatedEvaluation(papers: ArxivListing[], encoder: TextEncoder, neighbourCount: number): Promise<RelatedRow[]> {
  const dbDir = mkdtempSync(path.join(os.tmpdir(), 'atlas-eval-'));
  try {
    const started = Date.now();
    const vectors = await encoder.encode(
      papers.map((p) => p.abstract),
      'document',
    );
    console.log(`encoded ${papers.length} held-out abstracts in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    const store = await PaperStore.open(dbDir, 'eval', encoder.dims);
    await store.add(papers.map((p, i) => ({ ...paperToRow(asPaper(p), vectors[i]!), text: p.abstract })));
    await store.maintain();

    const category = new Map(papers.map((p) => [p.id, p.categories[0] ?? '']));
    const depth = 50;
    const methods: Record<string, { rr: number[]; hit: number[]; catP: number[] }> = {
      'BM25 (full-text)': { rr: [], hit: [], catP: [] },
      [`encoder (${encoder.settings.id})`]: { rr: [], hit: [], catP: [] },
      'hybrid (RRF)': { rr: [], hit: [], catP: [] },
      'hybrid, title as the lexical query (related only)': { rr: [], hit: [], catP: [] },
    };
    type Method = (typeof methods)[string];
    const [bm25, enc, hybrid, titleHybrid] = Object.values(methods) as [Method, Method, Method, Method];
    const ids = (hits: readonly Scored[]): string[] => hits.map((h) => h.id);

    const titleVectors = await encoder.encode(
      papers.map((p) => p.title),
      'query',
    );
    for (let i = 0; i < papers.length; i++) {
      const p = papers[i]!;
      const f = await store.fullTextSearch(p.title, depth);
      const v = await store.vectorSearch(titleVectors[i]!, depth);
      const h = reciprocalRankFusion([v, f]);
      for (const [m, hits] of [
        [bm25, f],
        [enc, v],
        [hybrid, h],
      ] as const) {
        m.rr.push(reciprocalRankAt(ids(hits), p.id, 10));
        m.hit.push(hitAt(ids(hits), p.id, 10));
      }
    }
    for (let i = 0; i < Math.min(neighbourCount, papers.length); i++) {
      const p = papers[i]!;
      const own = category.get(p.id);
      const same = (id: string): boolean => category.get(id) === own;
      const withoutSelf = (hits: Scored[]): Scored[] => hits.filter((x) => x.id !== p.id);
      const f = withoutSelf(await store.fullTextSearch(p.abstract, depth));
      const v = withoutSelf(await store.vectorSearch(vectors[i]!, depth));
      const h = reciprocalRankFusion([v, f]);
      const ft = withoutSelf(await store.fullTextSearch(p.title, depth));
      titleHybrid.catP.push(precisionAt(ids(reciprocalRankFusion([v, ft])), same, 10));
      bm25.catP.push(precisionAt(ids(f), same, 10));
      enc.catP.push(precisionAt(ids(v), same, 10));
      hybrid.catP.push(precisionAt(ids(h), same, 10));
    }
    store.close();
    return Object.entries(methods).map(([method, m]) => ({
      method,
      mrr10: m.rr.length ? mean(m.rr) : NaN,
      recall10: m.hit.length ? mean(m.hit) : NaN,
      categoryP10: mean(m.catP),
    }));
  } finally {
    rmSync(dbDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const all = readArxivListings();
  if (!all) return;
  let papers = heldOutArxiv(all);
  if (values.limit) papers = papers.slice(0, Number(values.limit));
  const threads = Number(values.threads);
  console.log(`held-out arXiv papers: ${papers.length} (listed >= 2026-06-01); threads ${threads}`);

  const encoder = await TextEncoder.open(values.model, { providers: ['cpu'], threads });
  const related = await relatedEvaluation(papers, encoder, Number(values.neighbours));
  await encoder.release();
  console.log('\nRelated papers (held-out arXiv)');
  console.log('| method | MRR@10 | recall@10 | category P@10 |');
  console.log('|---|---|---|---|');
  const cell = (x: number): string => (Number.isNaN(x) ? '—' : x.toFixed(3));
  for (const r of related) console.log(`| ${r.method} | ${cell(r.mrr10)} | ${cell(r.recall10)} | ${cell(r.categoryP10)} |`);

  let mlm: Awaited<ReturnType<typeof evaluateMaskedLm>> | undefined;
  if (!values['skip-mlm']) {
    mlm = await evaluateMaskedLm(values.mlm, papers, { threads });
    console.log(`\nMasked LM (${values.mlm}) on held-out abstracts`);
    console.log('| metric | value | on |');
    console.log('|---|---|---|');
    console.log(`| masked-token accuracy (15% masked) | ${mlm.accuracy.toFixed(3)} | ${mlm.maskedTokens} tokens of ${mlm.accuracyAbstracts} abstracts |`);
    console.log(`| pseudo-perplexity | ${mlm.pseudoPerplexity.toFixed(1)} | ${mlm.pppTokens} tokens of ${mlm.pppAbstracts} abstracts (≤ ${mlm.maxTokens} tokens) |`);
  }
  if (values.json) writeFileSync(values.json, JSON.stringify({ date: new Date().toISOString(), papers: papers.length, related, mlm }, null, 2));
}

main().catch((e: unknown) => {
  console.error(`eval failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
