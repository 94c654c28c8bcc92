/**
 * Where the user waits, timed as the host does the work against a real engine process (issue 18):
 *
 * - hover on a citation key: the engine part of CitationHoverProvider (src/host/hover/hoverEngineData.ts,
 *   the same function the provider calls; the catalogue look-up and Markdown are microseconds);
 * - Show Related Work: related(id, k = 15) as the command asks it;
 * - Atlas selection → side pane: the record and related (k = 8) answered, which is when
 *   AtlasPanelController.select posts the pane; and → complete, once the keyword heat-map it asks for at the
 *   same time is in too (posted as a second message);
 * - palette search per keystroke: hybrid search (k = 30) for every prefix of a typed title from two
 *   characters on (the QuickPick debounces, so a real typist sends fewer: this is the worst case).
 *
 * Cold = the first request after the engine process starts and opens (a fresh process per sample),
 * twice: sent the moment open() answers (the worst case: any background warm-up is still running)
 * and sent `idleMs` later (a user who opens a file, then hovers); warm =
 * later requests, each on a paper (or title) not asked about before. The index is the first `count`
 * arXiv listings, built once and kept in $PAPER_ATLAS_BENCH_CACHE/citations-<count>/ (the citations
 * section uses the same folder for 10k). VS Code's own rendering is not in these numbers: the real
 * VS Code tier times the hover end to end (test/integration/ui).
 */
import { readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import { EngineClient } from '../../src/engine/client/engineClient';
import { HoverKeywordCache, hoverEngineData } from '../../src/host/hover/hoverEngineData';
import type { Paper } from '../../src/shared/paper';
import { heldOutArxiv, readArxivListings } from '../heldOutData';
import { benchEngineOptions, cachedArxivIndex } from '../indexing/cachedArxivIndex';
import { percentile } from '../stats';

const MLM = 'atlas-mini-mlm';
const OPERATIONS = ['hover', 'relatedWork', 'sidePane', 'keystroke'] as const;
type Operation = (typeof OPERATIONS)[number];
/** What is timed: each operation, and the side pane twice (drawn; complete with its keyword heat-map). */
const FIGURES = [...OPERATIONS, 'sidePaneHeatMap'] as const;
type Figure = (typeof FIGURES)[number];

export interface LatencyFigures {
  samples: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

export interface InteractiveLatencyResult {
  papers: number;
  indexBuiltSeconds?: number;
  /** open() of a fresh engine process (model load), per cold sample. */
  openMs: LatencyFigures;
  cold: Record<Figure, LatencyFigures>;
  coldAfterIdle: Record<Figure, LatencyFigures>;
  idleMs: number;
  warm: Record<Figure, LatencyFigures>;
  /** A second hover on a paper hovered before (the host's and engine's caches hit). */
  warmRepeatHover: LatencyFigures;
  loadBefore: number[];
  loadAfter: number[];
}

function figures(values: readonly number[]): LatencyFigures {
  return { samples: values.length, p50Ms: percentile(values, 50), p95Ms: percentile(values, 95), maxMs: Math.max(...values) };
}

/** Every prefix a typist produces on the way to the first words of a title (2 characters on). */
function keystrokes(title: string, maxChars: number): string[] {
  const text = title.replace(/\s+/g, ' ').slice(0, maxChars);
  const out: string[] = [];
  for (let i = 2; i <= text.length; i++) out.push(text.slice(0, i));
  return out;
}

export async function benchInteractiveLatency(options: {
  slice: (dir: string, count: number) => Promise<string | undefined>;
  count: number;
  /** Fresh engine processes per operation for the cold figures. */
  coldRounds: number;
  /** Papers (and typed titles) per operation for the warm figures. */
  warmSamples: number;
  /** The second cold figure: the first request this long after open() answers (a user who opens a file, then hovers). */
  idleMs: number;
  log: (line: string) => void;
}): Promise<InteractiveLatencyResult | { skipped: string }> {
  const listings = readArxivListings();
  if (!listings) return { skipped: 'no ../shared/data' };
  const index = await cachedArxivIndex({ slice: options.slice, count: options.count, section: 'latency', log: options.log });
  if (!index) return { skipped: 'no ../shared/data' };
  // The engine keeps keywords it computed (keywords__<mlm>.json): a previous run's would make every
  // "not asked before" paper a cache hit. The library's IDF (keywords__df.json) stays.
  for (const f of readdirSync(index.db)) if (/^keywords__.*\.json$/.test(f) && f !== 'keywords__df.json') rmSync(path.join(index.db, f), { force: true });
  const engineOptions = benchEngineOptions(index.db);
  const start = async (): Promise<{ engine: EngineClient; openMs: number }> => {
    const engine = EngineClient.start();
    const t0 = performance.now();
    await engine.open(engineOptions);
    return { engine, openMs: performance.now() - t0 };
  };

  // The paper ids and typed titles the samples use: spread over the library / held out from it.
  const { engine: lister } = await start();
  const ids: string[] = [];
  const contentHashes = new Map<string, string>();
  let papers = 0;
  try {
    for (let offset = 0; ; offset += 2000) {
      const page = await lister.listPapers(offset, 2000);
      papers = page.total;
      for (const p of page.papers as Paper[]) {
        ids.push(p.id);
        contentHashes.set(p.id, p.contentHash);
      }
      if (page.papers.length < 2000) break;
    }
  } finally {
    await lister.stop();
  }
  options.log(`latency: ${papers} papers in the index`);
  const needed = options.coldRounds * OPERATIONS.length + options.warmSamples * 2 + 8;
  const step = Math.max(1, Math.floor(ids.length / needed));
  const samplePapers = ids.filter((_id, i) => i % step === 0);
  let nextPaper = 0;
  const paper = (): string => samplePapers[nextPaper++ % samplePapers.length]!;
  const titles = heldOutArxiv(listings).map((p) => p.title);
  let nextTitle = 0;
  const title = (): string => titles[(nextTitle++ * 37) % titles.length]!;

  const keywordCache = new HoverKeywordCache();
  /** Milliseconds until the user sees the answer; for the side pane also until its heat-map is in. */
  const run = async (engine: EngineClient, op: Operation, target: string, waitBehind = true): Promise<{ ms: number; heatMapMs?: number }> => {
    const t0 = performance.now();
    if (op === 'hover') {
      const cancel = new CancellationTokenSource();
      // No host related cache here: every sample is the engine path a first hover of a paper takes.
      const data = await hoverEngineData(engine, { id: target, contentHash: contentHashes.get(target) ?? '' }, MLM, { keywords: keywordCache }, cancel.token);
      const ms = performance.now() - t0;
      if (!data.related || data.related.length === 0) throw new Error(`hover on ${target}: no related papers`);
      // Warm: the user reads the hover before the next action, so the keywords fetched behind it finish
      // (untimed). Cold: the engine is stopped next; the fetch is cancelled with it.
      if (waitBehind) await data.keywordsBehind;
      return { ms };
    } else if (op === 'relatedWork') {
      const hits = await engine.related({ id: target, k: 15 });
      if (hits.length === 0) throw new Error(`related ${target}: nothing`);
    } else if (op === 'sidePane') {
      // As AtlasPanelController.select asks: the record and related work, then (pane posted) the keywords.
      const [records, related] = await Promise.all([engine.papers([target]), engine.related({ id: target, k: 8 })]);
      const ms = performance.now() - t0;
      if (records.length !== 1 || related.length === 0) throw new Error(`side pane ${target}: no record or no related work`);
      if ((await engine.keywords({ id: target, k: 8 })).top.length === 0) throw new Error(`side pane ${target}: no keywords`);
      return { ms, heatMapMs: performance.now() - t0 };
    } else {
      await engine.search({ query: target, k: 30, mode: 'hybrid' });
    }
    return { ms: performance.now() - t0 };
  };
  const emptyFigures = (): Record<Figure, number[]> => Object.fromEntries(FIGURES.map((f) => [f, [] as number[]])) as Record<Figure, number[]>;
  const record = (into: Record<Figure, number[]>, op: Operation, timed: { ms: number; heatMapMs?: number }): void => {
    into[op].push(timed.ms);
    if (timed.heatMapMs !== undefined) into.sidePaneHeatMap.push(timed.heatMapMs);
  };
  const summary = (from: Record<Figure, number[]>): Record<Figure, LatencyFigures> =>
    Object.fromEntries(FIGURES.map((f) => [f, figures(from[f])])) as Record<Figure, LatencyFigures>;

  const loadBefore = os.loadavg();
  const openMs: number[] = [];
  const cold = emptyFigures();
  const coldAfterIdle = emptyFigures();
  for (let round = 0; round < options.coldRounds; round++) {
    for (const op of OPERATIONS) {
      for (const delay of [0, options.idleMs]) {
        keywordCache.clear();
        const { engine, openMs: opened } = await start();
        try {
          openMs.push(opened);
          if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
          const target = op === 'keystroke' ? (keystrokes(title(), 12)[4] ?? 'neural') : paper();
          record(delay > 0 ? coldAfterIdle : cold, op, await run(engine, op, target, false));
        } finally {
          keywordCache.clear();
          await engine.stop();
        }
      }
    }
    options.log(`latency: cold round ${round + 1}/${options.coldRounds}: ${FIGURES.map((op) => `${op} ${cold[op].at(-1)?.toFixed(0)} ms (after ${options.idleMs} ms idle: ${coldAfterIdle[op].at(-1)?.toFixed(0)})`).join(', ')}`);
  }

  const warm = emptyFigures();
  const repeat: number[] = [];
  const { engine } = await start();
  try {
    // The first request of each kind is the cold one measured above: not a warm sample.
    await run(engine, 'hover', paper());
    await run(engine, 'sidePane', paper());
    await run(engine, 'keystroke', 'transformer');
    for (let i = 0; i < options.warmSamples; i++) {
      const hovered = paper();
      record(warm, 'hover', await run(engine, 'hover', hovered));
      repeat.push((await run(engine, 'hover', hovered)).ms);
      record(warm, 'relatedWork', await run(engine, 'relatedWork', paper()));
      record(warm, 'sidePane', await run(engine, 'sidePane', paper()));
    }
    while (warm.keystroke.length < options.warmSamples * 4) {
      for (const q of keystrokes(title(), 24)) record(warm, 'keystroke', await run(engine, 'keystroke', q));
    }
  } finally {
    await engine.stop();
  }
  const loadAfter = os.loadavg();
  return {
    papers,
    ...(index.builtSeconds !== undefined ? { indexBuiltSeconds: index.builtSeconds } : {}),
    openMs: figures(openMs),
    cold: summary(cold),
    coldAfterIdle: summary(coldAfterIdle),
    idleMs: options.idleMs,
    warm: summary(warm),
    warmRepeatHover: figures(repeat),
    loadBefore,
    loadAfter,
  };
}
