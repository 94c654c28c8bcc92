/**
 * One writer per index folder. Two VS Code windows on one workspace (or a CLI run beside the
 * extension) may search the same index at once — LanceDB readers are safe — but only one may index.
 *
 * The lock is a file holding the owner's pid and a token. It is created whole or not at all (written
 * to a private file, then hard-linked into place, which fails if a lock exists), so another process
 * never reads a half-written lock and mistakes it for a stale one. A lock whose process is gone
 * (killed with -9, crashed) is stale and taken over by moving it aside with one rename: of two
 * processes that find the same stale lock, only one moves it, and each checks that what it moved is
 * the lock it judged stale, not a fresh one taken in between. Within one engine thread a second run
 * (two index requests at once) is refused too: the pid alone cannot tell it from a dead thread's lock.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { threadId } from 'node:worker_threads';

export class IndexBusyError extends Error {}

interface LockOwner {
  pid?: number;
  since?: string;
  token?: string;
}

/** Lock files this thread holds. */
const heldHere = new Set<string>();

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function code(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException).code;
}

/** The lock's text, or undefined when there is none. */
function readLock(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    if (code(e) === 'ENOENT') return undefined;
    throw e;
  }
}

function parseOwner(text: string): LockOwner {
  try {
    return JSON.parse(text) as LockOwner;
  } catch {
    return {}; // torn by a crash of an older version that wrote the lock in place: stale
  }
}

/** Creates `file` holding `content` if no file is there; false when one is. */
function createExclusive(file: string, content: string): boolean {
  const tmp = `${file}.${process.pid}.${threadId}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, content);
  try {
    linkSync(tmp, file);
    return true;
  } catch (e) {
    if (code(e) === 'EEXIST') return false;
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV'].includes(code(e) ?? '')) throw e;
    // A filesystem without hard links: exclusive create, then write (a reader may briefly see it empty).
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, content);
      closeSync(fd);
      return true;
    } catch (inner) {
      if (code(inner) === 'EEXIST') return false;
      throw inner;
    }
  } finally {
    rmSync(tmp, { force: true });
  }
}

function busy(dbDir: string, owner: LockOwner): IndexBusyError {
  return new IndexBusyError(
    `the index at ${dbDir} is being updated by another process (pid ${owner.pid}, since ${owner.since}); try again when it finishes`,
  );
}

/** Moves a stale lock aside; true when it is gone (moved by us or by another process). */
function takeOver(file: string, judged: string, dbDir: string): void {
  const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(file, aside);
  } catch (e) {
    if (code(e) === 'ENOENT') return; // another process moved it first
    throw e;
  }
  const moved = readLock(aside);
  if (moved !== undefined && moved !== judged) {
    // Between our read and the rename someone took the lock afresh: give it back and stand aside.
    try {
      linkSync(aside, file);
    } catch {
      // a third process locked meanwhile; its lock stands
    }
    rmSync(aside, { force: true });
    const owner = parseOwner(moved);
    if (owner.pid && processAlive(owner.pid)) throw busy(dbDir, owner);
    return;
  }
  rmSync(aside, { force: true });
}

/**
 * The private files of a lock being written (`index.lock.<pid>.<thread>.<hex>.tmp`) or taken over
 * (`index.lock.stale-<pid>-<hex>`) live for microseconds, but a process killed in between leaves them
 * behind; those of processes that are gone are removed.
 */
function removeLeftovers(dbDir: string): void {
  let names: string[];
  try {
    names = readdirSync(dbDir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = /^index\.lock\.(?:(\d+)\.\d+\.[0-9a-f]+\.tmp|stale-(\d+)-[0-9a-f]+)$/.exec(name);
    const pid = Number(m?.[1] ?? m?.[2]);
    if (m && pid !== process.pid && !processAlive(pid)) rmSync(path.join(dbDir, name), { force: true });
  }
}

export function acquireIndexLock(dbDir: string): () => void {
  const file = path.join(dbDir, 'index.lock');
  if (heldHere.has(file)) {
    throw new IndexBusyError(`the index at ${dbDir} is already being updated by this engine; try again when that run finishes`);
  }
  removeLeftovers(dbDir);
  const token = randomBytes(8).toString('hex');
  const content = JSON.stringify({ pid: process.pid, since: new Date().toISOString(), token });
  for (let attempt = 0; attempt < 3; attempt++) {
    if (createExclusive(file, content)) {
      heldHere.add(file);
      return () => {
        heldHere.delete(file);
        // Only our own lock is removed: never one another process took over meanwhile.
        const current = readLock(file);
        if (current !== undefined && parseOwner(current).token === token) rmSync(file, { force: true });
      };
    }
    const text = readLock(file);
    if (text === undefined) continue; // released between our try and the read
    const owner = parseOwner(text);
    // A lock of this process that this thread does not hold was left by an engine thread that died.
    if (owner.pid && owner.pid !== process.pid && processAlive(owner.pid)) throw busy(dbDir, owner);
    takeOver(file, text, dbDir);
  }
  throw new IndexBusyError(`cannot take the index lock ${file}: it keeps changing hands; try again`);
}
