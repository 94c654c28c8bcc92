/**
 * Right after the engine opens, before the first request: loads what the first hover, side pane and
 * search would otherwise load while the user waits — the encoder's ONNX session runs once (its first
 * run allocates and picks kernels), LanceDB opens the vector and full-text indices, the word
 * statistics of related work are counted, and the masked LM opens and runs once with the library's
 * IDF (the keyword heat-map). In that order: the steps on the hover's path first, the slow keyword
 * model last, once the engine is idle. It runs in the background: open() has already answered, and a
 * request that arrives meanwhile is served beside it. Every step is best effort (a model not installed yet is reported
 * in the log, not thrown), and the warm-up stops between steps when the engine closes.
 */
import type { KeywordService } from '../keywords/keywordService';
import type { PaperStore } from '../store/paperStore';
import type { SearchService } from '../search/searchService';
import type { TextEncoder } from '../encoder/textEncoder';

export interface WarmableEngine {
  encoder: TextEncoder;
  store: PaperStore;
  search: SearchService;
  keywords: KeywordService;
}

export interface WarmupOptions {
  log: (line: string) => void;
  /** Marks the engine as in use until the returned function is called (closing waits for it). */
  hold: () => () => void;
  /** True once the engine is closing or stopping: the warm-up ends before its next step. */
  stopping: () => boolean;
  /** True while no request is being handled: the keyword step waits for KEYWORD_STEP_IDLE_MS of it. */
  idle: () => boolean;
}

/**
 * The keyword step reads every paper for the library's IDF and parses its saved table (seconds at 10k,
 * tens of seconds at 75k, much of it on this process's event loop), so a request that arrives during
 * it waits. It does not start in the middle of a burst of requests (activation pages the catalogue,
 * asks for the topic map), only once none has been in flight for this long. Waiting longer does not
 * help: at 10k papers (bench, load ~6) a 2 s wait moved the step onto the requests of a user who
 * starts 3 s after open (search p50 1245 ms instead of 346 with the step at once).
 */
export const KEYWORD_STEP_IDLE_MS = 250;
/** The other steps are short (tens to hundreds of ms): they only let a request already in flight finish. */
export const STEP_IDLE_MS = 50;

async function waitForIdle(options: WarmupOptions, ms: number): Promise<void> {
  let idleSince = Date.now();
  while (!options.stopping()) {
    if (!options.idle()) idleSince = Date.now();
    else if (Date.now() - idleSince >= ms) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface WarmupReport {
  /** Milliseconds per step that ran, in order. */
  steps: Record<string, number>;
  /** Steps that failed, with the reason. */
  failed: Record<string, string>;
}

export async function warmUpEngine(engine: WarmableEngine, options: WarmupOptions): Promise<WarmupReport> {
  const report: WarmupReport = { steps: {}, failed: {} };
  const release = options.hold();
  try {
    const started = Date.now();
    const first = (await engine.store.pageOfPapers(0, 1))[0];
    const steps: [string, () => Promise<unknown>][] = [
      ['encoder', () => engine.encoder.encode(['warming up the encoder'], 'query')],
      ...(first
        ? ([
            ['search', () => engine.search.search(first.title, 5, 'hybrid')],
            ['related', () => engine.search.related(first.id, 4)],
            ['keywords', () => engine.keywords.keywords({ id: first.id, k: 5 })],
          ] as [string, () => Promise<unknown>][])
        : []),
    ];
    for (const [name, run] of steps) {
      if (options.stopping()) break;
      // A request that arrives first (a hover the moment the engine opens) goes first: each step starts
      // only when none is in flight; it would otherwise share the two cores with the user's request.
      await waitForIdle(options, name === 'keywords' ? KEYWORD_STEP_IDLE_MS : STEP_IDLE_MS);
      if (options.stopping()) break;
      const t0 = Date.now();
      try {
        await run();
        report.steps[name] = Date.now() - t0;
      } catch (e) {
        report.failed[name] = e instanceof Error ? e.message.split('\n')[0]! : String(e);
      }
    }
    const done = Object.entries(report.steps).map(([k, ms]) => `${k} ${ms} ms`);
    const failed = Object.entries(report.failed).map(([k, why]) => `${k} failed: ${why}`);
    options.log(`warm-up in ${Date.now() - started} ms: ${[...done, ...failed].join(', ') || 'nothing to warm'}`);
  } catch (e) {
    options.log(`warm-up stopped: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    release();
  }
  return report;
}
