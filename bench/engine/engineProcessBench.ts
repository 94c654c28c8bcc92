/**
 * The cost of the engine's process boundary, as the extension host meets it: this process stands in
 * for the host and drives the engine through EngineClient exactly as EngineManager does. Prints one
 * JSON line: start → open, start → first search answered (cold: the engine process starts, loads the
 * models and opens the index), search p50/p95 over the channel (hybrid, sequential, caller's clock),
 * resident memory of this process and of the engine process after the searches (one process when
 * the engine is a worker thread: then the engine's share is inside the host figure), stop time, and
 * the load average around the run (the machine may be shared). Run it against two builds, alternating.
 *
 *   node dist-test/bench/engine/engineProcessBench.js --db /tmp/x/db [--papers 2000] [--searches 200]
 */
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { EngineClient } from '../../src/engine/client/engineClient';
import { residentMb } from './processMemory';
import { median, percentile } from '../stats';

const WORDS = ['graph', 'neural', 'network', 'protein', 'folding', 'language', 'model', 'vision', 'sparse', 'attention', 'quantum', 'circuit', 'retrieval', 'dense', 'passage', 'segmentation', 'robust', 'optimisation', 'reinforcement', 'learning'];

function library(dir: string, n: number): void {
  mkdirSync(dir, { recursive: true });
  const entries = Array.from({ length: n }, (_, i) => {
    const text = Array.from({ length: 80 }, (_, j) => WORDS[(i * 7 + j * 13 + (i % 11) * j) % WORDS.length]).join(' ');
    return `@article{bench${i},\n  title = {Study ${i} of ${WORDS[i % WORDS.length]} ${WORDS[(i * 3) % WORDS.length]} ${WORDS[(i * 5) % WORDS.length]}},\n  year = {${2000 + (i % 25)}},\n  abstract = {${text}.}\n}\n`;
  });
  writeFileSync(path.join(dir, 'bench.bib'), entries.join('\n'));
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { db: { type: 'string' }, papers: { type: 'string', default: '2000' }, searches: { type: 'string', default: '200' } } });
  if (!values.db) throw new Error('--db <folder> is required');
  const dbDir = path.resolve(values.db);
  const options = { dbDir, model: 'atlas-mini-encoder', providers: ['cpu'], threads: 2, batchSize: 64 };
  if (!existsSync(path.join(dbDir, '.bench-ready'))) {
    const lib = path.join(path.dirname(dbDir), 'library');
    library(lib, Number(values.papers));
    const builder = EngineClient.start();
    await builder.open(options);
    await builder.index([lib]);
    await builder.stop();
    writeFileSync(path.join(dbDir, '.bench-ready'), '');
  }
  const loadBefore = os.loadavg()[0]!;
  const queries = Array.from({ length: Number(values.searches) }, (_, i) => `${WORDS[i % WORDS.length]} ${WORDS[(i * 7 + 3) % WORDS.length]} ${WORDS[(i * 11 + 5) % WORDS.length]}`);

  const t0 = performance.now();
  const engine = EngineClient.start();
  await engine.open(options);
  const openMs = performance.now() - t0;
  await engine.search({ query: 'dense passage retrieval', k: 10, mode: 'hybrid' });
  const firstSearchMs = performance.now() - t0;

  const latencies: number[] = [];
  for (const query of queries) {
    const s = performance.now();
    await engine.search({ query, k: 10, mode: 'hybrid' });
    latencies.push(performance.now() - s);
  }
  const pid = (engine as unknown as { pid?: number }).pid;
  const hostMb = process.memoryUsage().rss / 2 ** 20;
  const engineMb = pid !== undefined && pid !== process.pid ? (residentMb(pid) ?? Number.NaN) : 0;
  const s = performance.now();
  await engine.stop();
  const stopMs = performance.now() - s;
  const round = (x: number): number => Math.round(x * 10) / 10;
  console.log(
    JSON.stringify({
      engine: pid !== undefined ? 'process' : 'worker thread',
      papers: Number(values.papers),
      openMs: round(openMs),
      firstSearchMs: round(firstSearchMs),
      searchP50Ms: round(median(latencies)),
      searchP95Ms: round(percentile(latencies, 95)),
      hostMb: round(hostMb),
      engineMb: round(engineMb),
      totalMb: round(hostMb + engineMb),
      stopMs: round(stopMs),
      load: [round(loadBefore), round(os.loadavg()[0]!)],
    }),
  );
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
