/**
 * The extension / CLI install folder (the one holding package.json and models/). Bundles live at
 * different depths (dist/, dist-test/test/unit/...), so walk up instead of hard-coding `..`.
 *
 * Folder src/engine/node/: small Node helpers — this package root, whole-file writes (atomicFile.ts)
 * and the cross-process file lock (fileLock.ts). They import only Node built-ins (a lint rule holds
 * it), so host, CLI and every engine folder may import them.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

let cached: string | undefined;

export function packageRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'paper-atlas') return (cached = dir);
      } catch {
        // not ours; keep walking
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the paper-atlas package folder above ${__dirname}`);
    dir = parent;
  }
}
