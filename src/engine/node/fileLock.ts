/**
 * One holder per lock file, across processes and threads: the index writer (index/indexLock.ts: two
 * VS Code windows on one workspace, or a CLI run beside the extension, may search one index but only
 * one may index) and a model download (models/modelDownloader.ts: two pulls of one model would
 * interleave bytes in the same .part files).
 *
 * The lock is a file holding the owner's pid and a token. It is created whole or not at all (written
 * to a private file, then hard-linked into place, which fails if a lock exists), so another process
 * never reads a half-written lock and mistakes it for a stale one. A lock whose process is gone
 * (killed with -9, crashed) is stale: it is removed under a claim only one process can hold (see
 * removeIfStill), and then everyone races to create a fresh one as for a free lock. Within one
 * thread a second acquisition is refused too: the pid alone cannot tell it from a dead thread's lock.
 * A lock holding only a pid (what model downloads wrote before they used this module) is read as that
 * pid's lock.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, linkSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { threadId } from 'node:worker_threads';

/** Who holds a lock, as far as its file tells. */
export interface LockOwner {
  pid?: number;
  since?: string;
  token?: string;
}

/** Why a lock was not taken; the caller turns it into its own error. */
export type LockRefusal =
  | { reason: 'held-elsewhere'; owner: LockOwner } // a live process holds it
  | { reason: 'held-here' } // this thread holds it already
  | { reason: 'contended' }; // it kept changing hands while we tried

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
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {}; // torn by a crash of an older version that wrote the lock in place: stale
  }
  if (typeof parsed === 'number') return Number.isInteger(parsed) && parsed > 0 ? { pid: parsed } : {};
  return typeof parsed === 'object' && parsed !== null ? (parsed as LockOwner) : {};
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

/** Claims newer than this, held by this very process, belong to a live thread: a claim lives microseconds. */
const OWN_CLAIM_GRACE_MS = 2000;

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** Sleeps this thread briefly without an event loop turn (the lock is taken synchronously). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export type Removal = 'removed' | 'elsewhere';

/**
 * Removes `file` if it still holds `judged` (a lock judged stale). Safe however many processes try at
 * once: removing needs a claim named after what was judged (`<file>.reap-<digest>`), created whole or
 * not at all, so one process alone removes that lock. The claimant re-reads `file` and removes it only
 * if it is still the judged lock: nobody else can have removed it meanwhile (that needs the claim),
 * and a judged lock, once gone, never comes back (each lock holds a fresh token), so a fresh lock is
 * never removed. The old way (rename the lock aside, check, link it back) let a third process slip
 * into the gap and gave two winners. A claimant killed midway leaves its claim behind: that claim is
 * itself stale and is removed by the same rule, one level down.
 */
export function removeIfStill(file: string, judged: string, depth = 0): Removal {
  const claim = `${file}.reap-${digest(judged)}`;
  const mine = JSON.stringify({ pid: process.pid, thread: threadId, since: Date.now(), token: randomBytes(8).toString('hex') });
  if (!createExclusive(claim, mine)) {
    const other = readLock(claim);
    if (other === undefined) return 'elsewhere'; // its claimant just finished
    const owner = parseOwner(other) as LockOwner & { since?: number };
    const ownOld = owner.pid === process.pid && Date.now() - Number(owner.since ?? 0) > OWN_CLAIM_GRACE_MS;
    if (owner.pid && processAlive(owner.pid) && !ownOld) return 'elsewhere'; // being removed right now
    if (depth < 4) removeIfStill(claim, other, depth + 1); // its claimant died midway
    return 'elsewhere';
  }
  try {
    if (readLock(file) !== judged) return 'elsewhere';
    rmSync(file, { force: true });
    return 'removed';
  } finally {
    rmSync(claim, { force: true });
  }
}

/**
 * The private files of a lock being written (`<lock>.<pid>.<thread>.<hex>.tmp`) or removed
 * (`<lock>.reap-<digest>`, and `<lock>.stale-<pid>-<hex>` of older versions) live for microseconds,
 * but a process killed in between leaves them behind; those of processes that are gone are removed.
 */
function removeLeftovers(lockFile: string): void {
  const dir = path.dirname(lockFile);
  const base = path.basename(lockFile).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const claimName = new RegExp(`^${base}(?:\\.reap-[0-9a-f]+)+$`);
  const privateName = new RegExp(`^${base}(?:\\.reap-[0-9a-f]+)*\\.(?:(\\d+)\\.\\d+\\.[0-9a-f]+\\.tmp|stale-(\\d+)-[0-9a-f]+)$`);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const file = path.join(dir, name);
    if (claimName.test(name)) {
      const text = readLock(file);
      const pid = text === undefined ? undefined : parseOwner(text).pid;
      if (text !== undefined && pid !== process.pid && !(pid && processAlive(pid))) removeIfStill(file, text);
      continue;
    }
    const m = privateName.exec(name);
    const pid = Number(m?.[1] ?? m?.[2]);
    if (m && pid !== process.pid && !processAlive(pid)) rmSync(file, { force: true });
  }
}

/**
 * Takes the lock `file` (its folder must exist) and returns its release, or throws what `refuse`
 * makes of the reason it could not. Synchronous: a free or stale lock is taken in microseconds, and a
 * stale lock another process is removing right now is waited for a few milliseconds at most.
 */
export function acquireFileLock(file: string, refuse: (why: LockRefusal) => Error): () => void {
  if (heldHere.has(file)) throw refuse({ reason: 'held-here' });
  removeLeftovers(file);
  const token = randomBytes(8).toString('hex');
  const content = JSON.stringify({ pid: process.pid, since: new Date().toISOString(), token });
  // A few rounds: a stale lock another process is removing right now is gone a moment later.
  for (let attempt = 0; attempt < 50; attempt++) {
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
    // A lock of this process that this thread does not hold was left by a thread that died.
    if (owner.pid && owner.pid !== process.pid && processAlive(owner.pid)) throw refuse({ reason: 'held-elsewhere', owner });
    if (removeIfStill(file, text) === 'elsewhere') pause(2 + attempt);
  }
  throw refuse({ reason: 'contended' });
}
