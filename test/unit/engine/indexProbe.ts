/**
 * Helpers for the reliability tests: run the real CLI (dist/cli.js) as a child process, the way a
 * second VS Code window or a script would, and look into an index folder from outside the engine
 * (read-only: nothing here creates a table or writes a file, so a check cannot repair what it checks).
 */
import '../../../src/engine/store/lanceEnvironment';
import * as lancedb from '@lancedb/lancedb';
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../../../src/engine/node/packageRoot';

export const CLI = path.join(packageRoot(), 'dist', 'cli.js');

/** The environment a child engine needs: LanceDB deadlocks on ≤ 2 cores with fewer than 2 threads. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const threads = Math.max(2, Number(process.env.LANCE_CPU_THREADS ?? 0), os.availableParallelism?.() ?? 2);
  return { ...process.env, LANCE_CPU_THREADS: String(threads), ...extra };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts `node dist/cli.js <args>`; `done` settles when it exits (never rejects). */
export function startCli(args: readonly string[], options: SpawnOptions = {}): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [CLI, ...args], { env: childEnv(), ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

export function runCli(args: readonly string[], options: SpawnOptions = {}): Promise<CliResult> {
  return startCli(args, options).done;
}

export interface IndexContents {
  /** The paper table's name, undefined when the folder holds none yet. */
  table: string | undefined;
  rows: number;
  ids: string[];
  /** Ids present more than once. */
  duplicates: string[];
}

/** Every id in the folder's paper table, straight from LanceDB. Throws when the table does not open. */
export async function readIndex(dbDir: string): Promise<IndexContents> {
  if (!existsSync(dbDir)) return { table: undefined, rows: 0, ids: [], duplicates: [] };
  const db = await lancedb.connect(dbDir);
  try {
    const tables = (await db.tableNames()).filter((n) => n.startsWith('papers__'));
    if (tables.length > 1) throw new Error(`expected one paper table in ${dbDir}, found ${tables.join(', ')}`);
    const name = tables[0];
    if (name === undefined) return { table: undefined, rows: 0, ids: [], duplicates: [] };
    const table = await db.openTable(name);
    try {
      const rows = await table.countRows();
      const ids = (await table.query().select(['id']).toArray()).map((r: Record<string, unknown>) => String(r.id));
      const seen = new Set<string>();
      const duplicates = new Set<string>();
      for (const id of ids) (seen.has(id) ? duplicates : seen).add(id);
      return { table: name, rows, ids, duplicates: [...duplicates] };
    } finally {
      table.close();
    }
  } finally {
    db.close();
  }
}

const WORDS = ['graph', 'neural', 'protein', 'folding', 'language', 'vision', 'sparse', 'attention', 'quantum', 'circuit', 'galaxy', 'trauma'];

/** `n` generated BibTeX entries with keys `${prefix}${i}` from `from`; distinct titles, so no two merge. */
export function generatedBib(prefix: string, n: number, from = 0): string {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    const abstract = Array.from({ length: 60 }, (_, j) => WORDS[(i * 5 + j * 7) % WORDS.length]).join(' ');
    return `@article{${prefix}${i},\n  title = {${prefix} study ${i} of ${WORDS[i % WORDS.length]} ${WORDS[(i * 3) % WORDS.length]}},\n  year = {2020},\n  abstract = {${abstract}.}\n}\n`;
  }).join('\n');
}
