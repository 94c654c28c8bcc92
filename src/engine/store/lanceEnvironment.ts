/**
 * LanceDB's thread pool reads LANCE_CPU_THREADS once, from the OS environment, and on machines with
 * ≤ 2 cores its index builds deadlock with fewer than 2 threads. EngineClient starts the engine
 * process with it set (engineEnvironment.ts); paperStore.ts imports this module first, so the value is
 * also set on the main thread of any process that opens the store directly (scripts, tests), before
 * LanceDB's first use. In a worker thread `process.env` is a private copy native code never sees:
 * there the process that started the thread must have set it.
 */
import { lanceCpuThreads } from '../client/engineEnvironment';

export function ensureLanceThreads(): void {
  process.env.LANCE_CPU_THREADS = lanceCpuThreads(process.env);
}

ensureLanceThreads();
