/**
 * Resident memory of a process by id, from /proc (Linux): the engine runs in its own process, so a
 * bench that reports "host + engine" memory reads both. Undefined where /proc is not there.
 */
import { readFileSync } from 'node:fs';

export function residentMb(pid: number): number | undefined {
  try {
    const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}
