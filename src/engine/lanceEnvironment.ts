/**
 * LanceDB's thread pool reads LANCE_CPU_THREADS once, from the OS environment, and on machines with
 * ≤ 2 cores its index builds deadlock with fewer than 2 threads. A worker thread's `process.env` is
 * a private copy that native code never sees, so the variable must be set on the main thread before
 * the engine worker starts (EngineClient does) — and here too, for scripts that use the store directly.
 */
import os from 'node:os';

export function ensureLanceThreads(): void {
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  if (!process.env.LANCE_CPU_THREADS || Number(process.env.LANCE_CPU_THREADS) < 2) {
    process.env.LANCE_CPU_THREADS = String(Math.max(2, cores));
  }
}

ensureLanceThreads();
