/**
 * Must be imported before @lancedb/lancedb: its thread pool reads LANCE_CPU_THREADS once, and on
 * machines with ≤ 2 cores the full-text index build deadlocks with fewer than 2 threads.
 */
import os from 'node:os';

const cores = os.availableParallelism?.() ?? os.cpus().length;
if (!process.env.LANCE_CPU_THREADS || Number(process.env.LANCE_CPU_THREADS) < 2) {
  process.env.LANCE_CPU_THREADS = String(Math.max(2, cores));
}
