/**
 * Indexing as the extension does it: the engine in its own process, this process standing in for
 * the extension host. While the engine works we record how late this process's event loop runs
 * (monitorEventLoopDelay: what a user feels as UI stalls), the peak RSS of host and engine together
 * (sampled every 200 ms, the two processes' resident sizes summed), and how long each indexing phase
 * takes — the profile that says where the time goes (reading, embedding, writing, index builds).
 */
import { execFileSync } from 'node:child_process';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { EngineClient } from '../../src/engine/client/engineClient';
import { residentMb } from '../engine/processMemory';
import type { IndexProgress, IndexSummary } from '../../src/shared/engineProtocol';
import { benchEngineOptions } from './cachedArxivIndex';

const LAG_RESOLUTION_MS = 10;

export interface IndexRunResult {
  summary: IndexSummary;
  seconds: number;
  papersPerSecond: number;
  lagP50Ms: number;
  lagP99Ms: number;
  lagMaxMs: number;
  peakRssMb: number;
  /** Seconds spent in each progress phase, in order of first appearance. */
  phases: Record<string, number>;
  diskMb: number;
}

function folderMb(dir: string): number {
  try {
    return Number(execFileSync('du', ['-sk', dir]).toString().split('\t')[0]) / 1024;
  } catch {
    return Number.NaN;
  }
}

export async function indexWithEngine(paths: string[], dbDir: string, log: (line: string) => void): Promise<IndexRunResult> {
  const phases: Record<string, number> = {};
  let phase = 'starting';
  let phaseStart = performance.now();
  let lastReport = 0;
  const onProgress = (p: IndexProgress): void => {
    const now = performance.now();
    if (p.phase !== phase) {
      phases[phase] = (phases[phase] ?? 0) + (now - phaseStart) / 1000;
      phase = p.phase;
      phaseStart = now;
    }
    if (now - lastReport > 15_000) {
      lastReport = now;
      log(`  ${p.phase} ${p.done}/${p.total}`);
    }
  };
  const engine = EngineClient.start({ onProgress });
  const bothRss = (): number => process.memoryUsage().rss + (engine.pid !== undefined ? (residentMb(engine.pid) ?? 0) * 2 ** 20 : 0);
  let peakRss = bothRss();
  const rssTimer = setInterval(() => {
    peakRss = Math.max(peakRss, bothRss());
  }, 200);
  const lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  try {
    await engine.open(benchEngineOptions(dbDir));
    lag.enable();
    const t0 = performance.now();
    const summary = await engine.index(paths);
    const seconds = (performance.now() - t0) / 1000;
    lag.disable();
    phases[phase] = (phases[phase] ?? 0) + (performance.now() - phaseStart) / 1000;
    delete phases.starting;
    delete phases.done;
    return {
      summary,
      seconds,
      papersPerSecond: summary.embedded / seconds,
      // The histogram holds whole timer intervals (an idle loop reads ~10 ms): the lag is what is beyond.
      lagP50Ms: Math.max(0, lag.percentile(50) / 1e6 - LAG_RESOLUTION_MS),
      lagP99Ms: Math.max(0, lag.percentile(99) / 1e6 - LAG_RESOLUTION_MS),
      lagMaxMs: Math.max(0, lag.max / 1e6 - LAG_RESOLUTION_MS),
      peakRssMb: peakRss / 2 ** 20,
      phases,
      diskMb: folderMb(dbDir),
    };
  } finally {
    clearInterval(rssTimer);
    await engine.stop();
  }
}
