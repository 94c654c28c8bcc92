/**
 * The index of the first `count` arXiv listings that the citations and latency sections share, built once
 * into $PAPER_ATLAS_BENCH_CACHE/citations-<count>/ and kept for the next run.
 *
 * Vectors live in a table named by the encoder's fingerprint, so after the bundled encoder changes a kept
 * index opens with an empty table: every figure would then time a library of 0 papers. A kept index is
 * therefore used only when the engine, opened on it, lists papers; otherwise it is built again.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { EngineClient } from '../../src/engine/client/engineClient';
import type { EngineOptions } from '../../src/shared/engineProtocol';
import { benchCacheDir } from '../encoding/benchModels';
import { indexWithEngine } from './indexRun';

/** How every bench section opens the engine on its index: the bundled encoder, CPU, 2 threads. */
export function benchEngineOptions(dbDir: string): EngineOptions {
  return { dbDir, model: 'atlas-mini-encoder', providers: ['cpu'], threads: 2, batchSize: 64 };
}

async function indexedPapers(dbDir: string): Promise<number> {
  const engine = EngineClient.start();
  try {
    await engine.open(benchEngineOptions(dbDir));
    return (await engine.listPapers(0, 1)).total;
  } finally {
    await engine.stop();
  }
}

export async function cachedArxivIndex(options: {
  /** Writes the first `count` listings as a file in `dir` (undefined without ../shared/data). */
  slice: (dir: string, count: number) => Promise<string | undefined>;
  count: number;
  /** Prefix of the log lines (the section's name). */
  section: string;
  log: (line: string) => void;
}): Promise<{ db: string; builtSeconds?: number } | undefined> {
  const cache = path.join(benchCacheDir(), `citations-${options.count}`);
  const db = path.join(cache, 'db');
  if (existsSync(path.join(cache, 'complete'))) {
    if ((await indexedPapers(db)) > 0) return { db };
    options.log(`${options.section}: the kept index in ${cache} holds no vectors of the current encoder: building it again`);
  }
  rmSync(cache, { recursive: true, force: true });
  mkdirSync(cache, { recursive: true });
  const file = await options.slice(cache, options.count);
  if (!file) return undefined;
  options.log(`${options.section}: indexing ${options.count} arXiv listings into ${cache} (kept for the next run)`);
  const run = await indexWithEngine([file], db, options.log);
  rmSync(file, { force: true });
  mkdirSync(path.join(cache, 'complete'));
  return { db, builtSeconds: run.seconds };
}
