/**
 * One writer per index folder. Two VS Code windows on one workspace (or a CLI run beside the
 * extension) may search the same index at once — LanceDB readers are safe — but only one may index.
 * The lock is a file created with O_EXCL holding the owner's pid; a lock whose process is gone
 * (killed with -9, crashed) is stale and taken over.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

export class IndexBusyError extends Error {}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function acquireIndexLock(dbDir: string): () => void {
  const file = path.join(dbDir, 'index.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, JSON.stringify({ pid: process.pid, since: new Date().toISOString() }));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let owner: { pid?: number; since?: string } = {};
      try {
        owner = JSON.parse(readFileSync(file, 'utf8')) as typeof owner;
      } catch {
        // half-written by a process killed mid-write: stale
      }
      if (owner.pid && owner.pid !== process.pid && processAlive(owner.pid)) {
        throw new IndexBusyError(`the index at ${dbDir} is being updated by another process (pid ${owner.pid}, since ${owner.since}); try again when it finishes`);
      }
      rmSync(file, { force: true });
    }
  }
  throw new IndexBusyError(`cannot take the index lock ${file}`);
}
