/**
 * Expands what the user names (files, folders, globs) into library files the parsers understand.
 *
 * Folders are walked with fast-glob, following directory links (a library linked into a workspace is
 * common) but never into a loop: a link to a folder that the path already passed through (`..`, `.`,
 * two folders linking each other) is not entered. A file reached twice (through a link, two inputs)
 * is read once: files are told apart by their real path. The index folder is never a library.
 */
import fg from 'fast-glob';
import { realpathSync, stat, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { isInsideFolder } from '../client/indexMarker';

export const LIBRARY_EXTENSIONS = ['.bib', '.bibtex', '.json', '.jsonl', '.ndjson', '.ris', '.txt', '.md', '.markdown'];
const IGNORED = ['**/node_modules/**', '**/.git/**', '**/.paper-atlas/**', '**/.vscode-test/**'];

export function isLibraryFile(file: string): boolean {
  const name = file.toLowerCase().replace(/\.gz$/, '');
  return LIBRARY_EXTENSIONS.some((ext) => name.endsWith(ext));
}

export interface DiscoveredFiles {
  files: string[];
  /** Inputs that matched nothing, with the reason. */
  missing: string[];
}

export interface DiscoverOptions {
  /** The index folder: nothing inside it is a library file, wherever it lies. */
  indexDir?: string;
}

function realPath(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}

/**
 * fast-glob's `stat`, called on each symbolic link it meets, made to fail (ELOOP) for a link to a
 * directory that one of the link's own ancestors, as walked, resolves to: entering it would walk that
 * ancestor again, and again. fast-glob keeps a link it cannot stat as a plain entry, neither a file nor
 * a folder to enter, so the loop is cut there; links elsewhere are followed as before.
 */
function loopSafeStat(): typeof stat {
  const realOf = new Map<string, string | undefined>();
  const cachedReal = (p: string): string | undefined => {
    if (!realOf.has(p)) realOf.set(p, realPath(p));
    return realOf.get(p);
  };
  const loopSafe = (file: string, callback: (error: NodeJS.ErrnoException | null, stats: Stats) => void): void => {
    stat(file, (error, stats) => {
      if (error || !stats.isDirectory()) return callback(error, stats);
      const target = realPath(file);
      for (let dir = path.dirname(path.resolve(file)); target !== undefined; dir = path.dirname(dir)) {
        if (cachedReal(dir) === target) {
          const loop: NodeJS.ErrnoException = new Error(`${file} links back to ${target}, a folder it lies in`);
          loop.code = 'ELOOP';
          return callback(loop, stats);
        }
        if (path.dirname(dir) === dir) break;
      }
      callback(null, stats);
    });
  };
  return loopSafe as typeof stat;
}

export async function discoverLibraryFiles(inputs: readonly string[], options: DiscoverOptions = {}): Promise<DiscoveredFiles> {
  /** First path found for each real path. */
  const files = new Map<string, string>();
  const missing: string[] = [];
  const indexDir = options.indexDir !== undefined ? (realPath(options.indexDir) ?? path.resolve(options.indexDir)) : undefined;
  const fs = { stat: loopSafeStat() };
  for (const input of inputs) {
    const absolute = path.resolve(input);
    let kind: ReturnType<typeof statSync> | undefined;
    try {
      kind = statSync(absolute);
    } catch {
      kind = undefined;
    }
    const pattern = kind?.isDirectory() ? `${fg.convertPathToPattern(absolute)}/**/*` : input;
    const matches = kind?.isFile()
      ? [absolute]
      : (await fg(pattern, { absolute: true, onlyFiles: true, ignore: IGNORED, dot: false, fs })).filter(isLibraryFile).map((m) => path.resolve(m));
    // Shortest paths first: of the paths to one file, the one kept is the most direct.
    matches.sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
    let found = 0;
    let inIndex = 0;
    for (const m of matches) {
      const real = realPath(m) ?? m;
      if (indexDir !== undefined && isInsideFolder(real, indexDir)) {
        inIndex++;
        continue;
      }
      found++;
      if (!files.has(real)) files.set(real, m);
    }
    if (found === 0) missing.push(`${input}: ${inIndex > 0 ? 'inside the index folder, which is not a library' : 'no library files found'}`);
  }
  return { files: [...files.values()].sort(), missing };
}
