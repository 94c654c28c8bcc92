/**
 * The file that marks an index folder as Paper Atlas's. Its own module so that callers on the main
 * thread (CLI, host) can check for an index without loading LanceDB.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

export const INDEX_MARKER = '.paper-atlas-index';

export function isIndexFolder(dbDir: string): boolean {
  return existsSync(path.join(dbDir, INDEX_MARKER));
}
