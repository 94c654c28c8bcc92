/**
 * The one typed view of the `paperAtlas.*` settings. Defaults and descriptions live only in
 * package.json; this module reads them and coerces what a user may have mistyped.
 */
import * as vscode from 'vscode';
import { latexCiteCommand } from '../core/citations/citationSyntax';

export type ClusterCount = 'auto' | number;

export interface Config {
  include: string[];
  exclude: string[];
  encoderModel: string;
  mlmModel: string;
  executionProviders: string[];
  batchSize: number;
  threads: number;
  hoversEnabled: boolean;
  clusterCount: ClusterCount;
  /** Empty: the workspace storage folder VS Code gives the extension. */
  indexLocation: string;
  /** The LaTeX command Insert Citation writes (`cite`, `citep`, `autocite`…), without the backslash. */
  citationLatexCommand: string;
  /** Citation checks in the Problems panel (unknown keys, one paper under two keys). */
  citationChecks: boolean;
  /** Also report .bib entries no note or .tex file cites (Information). */
  citationUnusedEntries: boolean;
}

export const CONFIG_SECTION = 'paperAtlas';

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string' && s.trim() !== '') : [];
}

function int(v: unknown, min: number, max: number, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, Math.round(v))) : fallback;
}

function clusterCount(v: unknown): ClusterCount {
  if (typeof v === 'number' && Number.isFinite(v)) return int(v, 2, 200, 8);
  if (typeof v === 'string' && /^\d+$/.test(v.trim())) return int(Number(v), 2, 200, 8);
  return 'auto';
}

export function readConfig(): Config {
  const c = vscode.workspace.getConfiguration(CONFIG_SECTION);
  return {
    include: strings(c.get('include')),
    exclude: strings(c.get('exclude')),
    encoderModel: c.get<string>('encoderModel')?.trim() || 'atlas-mini-encoder',
    mlmModel: c.get<string>('mlmModel')?.trim() || 'atlas-mini-mlm',
    executionProviders: strings(c.get('executionProviders')),
    batchSize: int(c.get('batchSize'), 1, 1024, 32),
    threads: int(c.get('threads'), 0, 256, 0),
    hoversEnabled: c.get<boolean>('hovers.enabled') !== false,
    clusterCount: clusterCount(c.get('clusterCount')),
    indexLocation: c.get<string>('indexLocation')?.trim() ?? '',
    citationLatexCommand: latexCiteCommand(c.get<string>('citations.latexCommand')),
    citationChecks: c.get<boolean>('citations.checks.enabled') !== false,
    citationUnusedEntries: c.get<boolean>('citations.checks.unusedEntries') === true,
  };
}

/** Settings whose change needs the engine reopened (a different model or runtime). */
export function affectsEngine(e: vscode.ConfigurationChangeEvent): boolean {
  return ['encoderModel', 'executionProviders', 'batchSize', 'threads', 'indexLocation'].some((k) => e.affectsConfiguration(`${CONFIG_SECTION}.${k}`));
}

export function affectsLibrary(e: vscode.ConfigurationChangeEvent): boolean {
  return ['include', 'exclude'].some((k) => e.affectsConfiguration(`${CONFIG_SECTION}.${k}`));
}
