/**
 * Expands what the user names (files, folders, globs) into library files the parsers understand.
 */
import fg from 'fast-glob';
import { statSync } from 'node:fs';
import path from 'node:path';

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

export async function discoverLibraryFiles(inputs: readonly string[]): Promise<DiscoveredFiles> {
  const files = new Set<string>();
  const missing: string[] = [];
  for (const input of inputs) {
    const absolute = path.resolve(input);
    let stat: ReturnType<typeof statSync> | undefined;
    try {
      stat = statSync(absolute);
    } catch {
      stat = undefined;
    }
    if (stat?.isFile()) {
      files.add(absolute);
      continue;
    }
    const pattern = stat?.isDirectory() ? `${fg.convertPathToPattern(absolute)}/**/*` : input;
    const matches = (await fg(pattern, { absolute: true, onlyFiles: true, ignore: IGNORED, dot: false })).filter(
      (f) => stat?.isFile() || isLibraryFile(f),
    );
    if (matches.length === 0) missing.push(`${input}: no library files found`);
    for (const m of matches) files.add(path.resolve(m));
  }
  return { files: [...files].sort(), missing };
}
