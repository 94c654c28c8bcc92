/**
 * Whole-file writes that a reader, or a crash mid-write, never sees half done: the bytes go to a
 * private temp file beside the target, which is then renamed over it (rename within one folder
 * replaces the target in one step). A write that fails (disk full, file too large, a value that is
 * not JSON) leaves the old file as it was and removes its temp file.
 *
 * The temp name is unique per write (`<file>.<pid>.<thread>.<n>.tmp`): two writes of one process, or
 * of two threads of it, may run at once. Index folders list these names as the index's own
 * (client/indexMarker.ts matches `<name>.<anything>.tmp`). No fsync: the guarantee is against a
 * process that dies, not against power loss, as for the copies this replaces.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';

let writes = 0;

export function writeFileAtomic(file: string, data: string | NodeJS.ArrayBufferView): void {
  const tmp = `${file}.${process.pid}.${threadId}.${++writes}.tmp`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * `value` as JSON, compact by default; with `indent`, indented and ending in a newline (files people
 * may open, such as atlas-settings.json). The text is built before anything is written, so a value
 * JSON cannot hold throws with the old file untouched.
 */
export function writeJsonAtomic(file: string, value: unknown, options: { indent?: number } = {}): void {
  const text = options.indent === undefined ? JSON.stringify(value) : `${JSON.stringify(value, null, options.indent)}\n`;
  writeFileAtomic(file, text);
}
