/**
 * One writer per index folder. Two VS Code windows on one workspace (or a CLI run beside the
 * extension) may search the same index at once — LanceDB readers are safe — but only one may index.
 * The lock is `<dbDir>/index.lock`, taken with the file lock of ../node/fileLock.ts (created whole or
 * not at all, a dead holder's lock removed only under a claim one process alone can hold); within one
 * engine thread a second run (two index requests at once) is refused too.
 */
import path from 'node:path';
import { acquireFileLock } from '../node/fileLock';

export { removeIfStill, type Removal } from '../node/fileLock';

export class IndexBusyError extends Error {}

export function acquireIndexLock(dbDir: string): () => void {
  const file = path.join(dbDir, 'index.lock');
  return acquireFileLock(file, (why) => {
    switch (why.reason) {
      case 'held-here':
        return new IndexBusyError(`the index at ${dbDir} is already being updated by this engine; try again when that run finishes`);
      case 'held-elsewhere':
        return new IndexBusyError(
          `the index at ${dbDir} is being updated by another process (pid ${why.owner.pid}, since ${why.owner.since}); try again when it finishes`,
        );
      case 'contended':
        return new IndexBusyError(`cannot take the index lock ${file}: it keeps changing hands; try again`);
    }
  });
}
