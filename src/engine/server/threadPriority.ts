/**
 * The engine is background work: when the 2–8 cores of a laptop are busy, the editor's own thread
 * should win. The engine has its own process, so lowering its priority never touches the extension
 * host. On Linux the nice value is per thread and a thread inherits it from the thread that creates
 * it, so lowering the engine's main thread before any ONNX session or LanceDB connection exists also
 * lowers onnxruntime's and LanceDB's pools; on macOS and Windows the call lowers the whole process.
 */
import os from 'node:os';

/** Default nice value of the engine's threads; PAPER_ATLAS_ENGINE_NICE overrides it (0 = as the host). */
export const ENGINE_NICE = 10;

/** Returns what was done, for the log. */
export function lowerEngineThreadPriority(): string {
  const wanted = Number(process.env.PAPER_ATLAS_ENGINE_NICE ?? ENGINE_NICE);
  const nice = Number.isInteger(wanted) ? Math.min(19, Math.max(0, wanted)) : ENGINE_NICE;
  if (nice === 0) return 'engine thread priority unchanged (PAPER_ATLAS_ENGINE_NICE=0)';
  try {
    os.setPriority(nice); // pid 0 = the calling thread on Linux
    return `engine threads run at nice ${os.getPriority()}`;
  } catch (e) {
    return `engine thread priority unchanged: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/** Nice value of the engine's background worker threads (topic map, keyword statistics). */
export const BACKGROUND_NICE = 19;

/**
 * For a worker thread of long background work (the topic map, the library's keyword statistics: up
 * to a minute each after indexing a large library): lowest priority, so the engine's own thread,
 * which answers hovers and searches, wins the cores while both run (nice 10 against 19 is a CPU
 * share of about 7 to 1 on Linux). Linux only: elsewhere the call would lower the whole engine process.
 */
export function lowerBackgroundThreadPriority(): void {
  if (process.platform !== 'linux' || process.env.PAPER_ATLAS_ENGINE_NICE === '0') return;
  try {
    os.setPriority(BACKGROUND_NICE);
  } catch {
    // not allowed here: the thread keeps the engine's priority
  }
}
