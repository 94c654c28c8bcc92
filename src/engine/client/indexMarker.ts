/**
 * What an index folder is, and the only ways Paper Atlas may write into or delete from one. Its own
 * module so that callers on the main thread (CLI, host) can check for an index without loading LanceDB.
 *
 * The folder is the user's choice (`--db`, `paperAtlas.indexLocation`, which a workspace may set), so
 * it may be a folder that holds other things. Two rules keep those safe:
 * - an index is created only in an empty folder, or one holding nothing but index files; a folder
 *   with anything else and no marker is refused, so an index never moves in beside a thesis;
 * - clearing an index without the engine (Rebuild when the engine cannot open) removes only entries
 *   named like the index's own, in a folder the marker proves is an index, under the index lock; the
 *   folder itself and anything else in it stay.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { acquireIndexLock } from '../index/indexLock';

export const INDEX_MARKER = '.paper-atlas-index';

/**
 * Names of everything the engine writes at the top of an index folder (with the `.tmp` files of
 * write-then-rename): the marker, the lock (`indexLock.ts`), the model settings (`modelSelection.ts`),
 * one LanceDB table per model and its state and topic map (`papers__…`), LanceDB's list of its tables
 * (`__manifest`), keyword caches (`keywords__…`). A new kind of file the engine writes there must be
 * named here.
 */
const INDEX_ENTRY =
  /^(?:\.paper-atlas-index|index\.lock(?:\..+)?|__manifest|(?:atlas-settings\.json|papers__\w+\.(?:lance|state\.json|topics\.json)|keywords__[\w.-]+\.json)(?:\..+\.tmp)?)$/;

/** Files an operating system drops into any folder it shows; they do not make a folder someone's. */
const SYSTEM_ENTRY = /^(?:\.DS_Store|Thumbs\.db|desktop\.ini)$/i;

export class NotAnIndexFolderError extends Error {
  override name = 'NotAnIndexFolderError';
}

export function isIndexFolder(dbDir: string): boolean {
  return existsSync(path.join(dbDir, INDEX_MARKER));
}

/**
 * True when `file` is `folder` or lies inside it, by the paths as written (callers resolve links
 * first where they can). The index folder is never a library: discovery, the host's file list and its
 * watcher drop what lies in it.
 */
export function isInsideFolder(file: string, folder: string): boolean {
  const relative = path.relative(folder, file);
  return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}

/** True for a name the engine writes at the top of an index folder. */
export function isIndexEntry(name: string): boolean {
  return INDEX_ENTRY.test(name);
}

/** Entries of `dbDir` that are neither index files nor operating-system litter (empty when it is missing). */
function foreignEntries(dbDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dbDir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return names.filter((n) => !isIndexEntry(n) && !SYSTEM_ENTRY.test(n)).sort();
}

function describeEntries(names: readonly string[]): string {
  const shown = names.slice(0, 3).map((n) => JSON.stringify(n)).join(', ');
  return names.length > 3 ? `${shown} and ${names.length - 3} more` : shown;
}

/**
 * Makes `dbDir` an index folder before anything is written there: creates it when missing and writes
 * the marker into an empty folder (or one that holds only index files, as an index made before the
 * marker existed does). Refuses a folder that holds anything else and has no marker. The marker is
 * written only when missing, so an index on a read-only folder (or disk) can still be searched.
 */
export function claimIndexFolder(dbDir: string): void {
  if (isIndexFolder(dbDir)) return;
  const foreign = foreignEntries(dbDir);
  if (foreign.length > 0) {
    throw new NotAnIndexFolderError(
      `${dbDir} is not a Paper Atlas index and is not empty (it holds ${describeEntries(foreign)}); choose an empty folder or an existing index`,
    );
  }
  mkdirSync(dbDir, { recursive: true });
  writeFileSync(path.join(dbDir, INDEX_MARKER), JSON.stringify({ format: 1 }));
}

/**
 * Empties an index without the engine: removes the index's own entries but the marker (the folder
 * stays an index, ready to be filled again) while holding the index lock, so a run of another
 * process is never pulled from under it (that throws IndexBusyError). Anything else in the folder is
 * kept. Refuses a folder without the marker. Returns the names removed.
 */
export function clearIndexFolder(dbDir: string): string[] {
  if (!isIndexFolder(dbDir)) {
    throw new NotAnIndexFolderError(`${dbDir} is not a Paper Atlas index (it has no ${INDEX_MARKER}); nothing was deleted`);
  }
  const release = acquireIndexLock(dbDir);
  try {
    const removed = readdirSync(dbDir).filter((n) => isIndexEntry(n) && n !== INDEX_MARKER && !n.startsWith('index.lock'));
    for (const name of removed) rmSync(path.join(dbDir, name), { recursive: true, force: true });
    return removed.sort();
  } finally {
    release();
  }
}
