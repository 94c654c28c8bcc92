/**
 * Which file "go to source" may open, decided without `vscode` so unit tests can probe it. The
 * argument of the command (from the panel, a hover's command link, another extension) is a paper id,
 * never a path: the file comes from the catalogue, and is opened only when it is the source file of
 * an indexed paper. A message that names "/etc/passwd", a workspace file that is no paper's source, or
 * a relative or "../" path is refused, as is a tree node whose forged `sources` point elsewhere
 * (only its id is read).
 */
import path from 'node:path';

export interface SourceCatalog {
  get(id: string): { id: string; sources: readonly { file: string; line: number }[] } | undefined;
  isSourceFile(file: string): boolean;
}

export type SourceDecision = { ok: true; id: string; file: string; line: number } | { ok: false; reason: string };

const MAX_ID = 512;

/** The paper id of a command argument: a non-empty string, or a tree node `{ kind: 'paper', paper: { id } }`. */
export function paperIdFromArg(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg !== '' && arg.length <= MAX_ID ? arg : undefined;
  if (typeof arg !== 'object' || arg === null || (arg as { kind?: unknown }).kind !== 'paper') return undefined;
  const id = (arg as { paper?: { id?: unknown } }).paper?.id;
  return typeof id === 'string' && id !== '' && id.length <= MAX_ID ? id : undefined;
}

/** Decides what "go to source" opens for a command argument; `ok: false` says why it opens nothing. */
export function sourceToOpen(arg: unknown, catalog: SourceCatalog): SourceDecision {
  const id = paperIdFromArg(arg);
  if (id === undefined) return { ok: false, reason: 'the argument is not a paper id' };
  const paper = catalog.get(id);
  if (!paper) return { ok: false, reason: `no indexed paper has the id "${id.slice(0, 80)}"` };
  const source = paper.sources[0];
  if (!source) return { ok: false, reason: `no source file is known for "${paper.id}"` };
  const file = source.file;
  // The catalogue stores absolute, normalised paths; anything else did not come from an indexing run.
  if (!path.isAbsolute(file) || path.normalize(file) !== file || !catalog.isSourceFile(file)) {
    return { ok: false, reason: `the source of "${paper.id}" is not a library file of the index` };
  }
  const line = Number.isInteger(source.line) && source.line > 0 ? source.line : 1;
  return { ok: true, id: paper.id, file, line };
}
