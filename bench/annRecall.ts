/**
 * Recall@10 and latency of the vector index against exact search, on an existing index folder:
 *   node dist-test/bench/annRecall.js --db DIR [--table NAME] [--queries 300] [--nprobes 32] [--refine 5]
 * Queries are stored papers' own vectors (what related(id) asks), sampled with a fixed seed.
 */
import { parseArgs } from 'node:util';
import * as lancedb from '@lancedb/lancedb';
import { seededRandom, sampleIndices } from '../src/core/clustering/seededRandom';
import { PaperStore } from '../src/engine/paperStore';

const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    table: { type: 'string' },
    queries: { type: 'string', default: '300' },
    nprobes: { type: 'string' },
    refine: { type: 'string' },
  },
});

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function main(): Promise<void> {
  if (!values.db) throw new Error('--db DIR is required');
  const db = await lancedb.connect(values.db);
  const table = values.table ?? (await db.tableNames()).find((n) => n.startsWith('papers__'));
  if (!table) throw new Error(`no papers table in ${values.db}`);
  const probe = await db.openTable(table);
  const dims = ((await probe.schema()).fields.find((f) => f.name === 'vector')?.type as { listSize?: number }).listSize ?? 128;
  probe.close();
  const store = await PaperStore.open(values.db, table, dims);
  await store.refreshIndexInfo();
  if (values.nprobes) store.nprobes = Number(values.nprobes);
  if (values.refine) store.refineFactor = Number(values.refine);
  const { ids, vectors } = await store.allVectors();
  const sample = sampleIndices(ids.length, Number(values.queries), seededRandom(7));
  let hits = 0;
  const annMs: number[] = [];
  const exactMs: number[] = [];
  for (const i of sample) {
    const v = vectors[i]!;
    let t = performance.now();
    const ann = await store.vectorSearch(v, 10);
    annMs.push(performance.now() - t);
    t = performance.now();
    const exact = await store.vectorSearch(v, 10, true);
    exactMs.push(performance.now() - t);
    const truth = new Set(exact.map((h) => h.id));
    hits += ann.filter((h) => truth.has(h.id)).length;
  }
  annMs.sort((a, b) => a - b);
  exactMs.sort((a, b) => a - b);
  console.log(`${ids.length} papers, table ${table}, vector index: ${store.indexInfo().vector ? `IVF-PQ (nprobes ${store.nprobes}, refine ${store.refineFactor})` : 'none (flat)'}`);
  console.log('| search | recall@10 | p50 ms | p95 ms |');
  console.log('|---|---|---|---|');
  console.log(`| index | ${(hits / (sample.length * 10)).toFixed(3)} | ${percentile(annMs, 50).toFixed(1)} | ${percentile(annMs, 95).toFixed(1)} |`);
  console.log(`| exact | 1.000 | ${percentile(exactMs, 50).toFixed(1)} | ${percentile(exactMs, 95).toFixed(1)} |`);
  store.close();
}

main().catch((e: unknown) => {
  console.error(`annRecall failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
