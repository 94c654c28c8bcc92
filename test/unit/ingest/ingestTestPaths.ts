/**
 * Where the ingest tests find their inputs. Tests run from the esbuild bundle in dist-test/, so paths
 * are resolved from the repository root (found by walking up to package.json), not from this file.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

function findRepoRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}

export const repoRoot = findRepoRoot();

/** A hand-written fixture under test/fixtures/ingest. */
export function fixturePath(name: string): string {
  return path.join(repoRoot, 'test', 'fixtures', 'ingest', name);
}

/** A file in the shared read-only data folder (<repo>/../shared/data), or undefined when it is absent. */
export function sharedDataPath(relative: string): string | undefined {
  const p = path.join(repoRoot, '..', 'shared', 'data', relative);
  return existsSync(p) ? p : undefined;
}

export const SHARED_ABSENT = 'shared data folder (../shared/data) absent';
