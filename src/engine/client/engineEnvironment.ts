/**
 * The OS environment the engine process starts with. Native code (onnxruntime, LanceDB) reads its
 * switches with getenv() once, when it initialises, so they belong in the environment the process is
 * born with rather than in a later `process.env` write. EngineClient passes this to fork(); the engine
 * sets the same values again on its own main thread before loading either library (onnxTelemetry.ts,
 * lanceEnvironment.ts), so a script that loads them directly is covered too. The caller's own
 * environment is left as it is: the extension host does not carry the engine's switches.
 */
import os from 'node:os';

/** onnxruntime's runtime telemetry opt-out (see onnxTelemetry.ts for why and how it was verified). */
export const ONNX_TELEMETRY_OFF = { ORT_DISABLE_TELEMETRY: '1' } as const;

/**
 * LanceDB's thread pool size: on machines with ≤ 2 cores its index builds deadlock with fewer than 2
 * threads, so a configured value below 2 is raised and a missing one becomes the core count (≥ 2).
 */
export function lanceCpuThreads(env: NodeJS.ProcessEnv): string {
  const configured = Number(env.LANCE_CPU_THREADS);
  if (env.LANCE_CPU_THREADS && configured >= 2) return env.LANCE_CPU_THREADS;
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  return String(Math.max(2, cores));
}

/** The caller's environment plus what the engine process needs before any native module loads. */
export function engineProcessEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...base,
    // VS Code's runtime is Electron: this makes process.execPath behave as plain Node.
    ELECTRON_RUN_AS_NODE: '1',
    ...ONNX_TELEMETRY_OFF,
    LANCE_CPU_THREADS: lanceCpuThreads(base),
  };
}

/** The argument every engine process gets: lets a test file that doubles as a fake engine know its role. */
export const ENGINE_PROCESS_ARG = '--paper-atlas-engine';

/** A stderr line of the engine that starts with this names the error it is about to end with. */
export const ENGINE_FATAL_PREFIX = 'paper-atlas engine fatal: ';
