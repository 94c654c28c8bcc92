/**
 * `--batch FILE`: one query, id or text per line. The file is input like any other and may be
 * anything the user (or a script) names — /dev/zero, a FIFO, a 10 GB log — so it must be a regular
 * file, it is read with a size bound, and every line has a length bound; what exceeds them is a
 * one-line usage error before the engine does any work.
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';

export const BATCH_MAX_BYTES = 64 * 1024 * 1024;
export const BATCH_MAX_LINE_CHARS = 32_768;

export class BatchInputError extends Error {}

function describe(st: import('node:fs').Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a pipe';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** The whole file as UTF-8, only when it is a regular file of at most `maxBytes`. */
export function readBatchText(file: string, maxBytes = BATCH_MAX_BYTES): string {
  const fail = (why: string): never => {
    throw new BatchInputError(`--batch ${file}: ${why}`);
  };
  let st;
  try {
    // stat before open: opening a FIFO would block until something writes to it.
    st = statSync(file);
  } catch (e) {
    return fail(`cannot read it (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!st.isFile()) return fail(`${describe(st)}, not a regular file`);
  const fd = openSync(file, 'r');
  try {
    const opened = fstatSync(fd);
    if (!opened.isFile()) return fail(`${describe(opened)}, not a regular file`);
    if (opened.size > maxBytes) return fail(`${opened.size} bytes is more than the ${maxBytes} a batch may hold`);
    // Read at most one byte past the limit: a file that grows while it is read still cannot exceed it.
    const buffer = Buffer.alloc(Math.min(opened.size, maxBytes) + 1);
    let length = 0;
    for (let n = 1; n > 0 && length < buffer.length; length += n) n = readSync(fd, buffer, length, buffer.length - length, null);
    if (length > maxBytes) return fail(`more than the ${maxBytes} bytes a batch may hold`);
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Non-empty, trimmed lines; a line longer than `maxChars` is an error that names its number. */
export function batchLines(text: string, maxChars = BATCH_MAX_LINE_CHARS): string[] {
  const lines: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line.length > maxChars) throw new BatchInputError(`--batch line ${i + 1} has ${line.length} characters; at most ${maxChars} are allowed`);
    if (line.length > 0) lines.push(line);
  });
  return lines;
}

export interface BatchIo {
  out: (line: string) => void;
  err: (line: string) => void;
  readFile?: (file: string) => string;
  /** True once nobody reads the output any more (stdout closed): a batch stops there. */
  stopped?: () => boolean;
}

/** Options of the commands that answer a text (`--text`) or one text per line (`--batch`): cite, keywords. */
export interface TextCommandOptions extends BatchIo {
  k: number;
  json: boolean;
  text?: string;
  batch?: string;
}

/**
 * `--batch FILE` for commands that answer one text per line: JSON Lines in input order, a failing input
 * reported on its own line (`{input, error}`) while the batch goes on. Returns the exit code (2: unreadable file).
 */
export async function answerBatch(file: string, io: BatchIo, answer: (input: string) => Promise<Record<string, unknown>>): Promise<number> {
  let lines: string[];
  try {
    lines = batchLines((io.readFile ?? readBatchText)(file));
  } catch (e) {
    io.err(e instanceof BatchInputError ? `paper-atlas: ${e.message}` : `paper-atlas: cannot read --batch file ${file}: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
  for (const input of lines) {
    if (io.stopped?.()) break;
    try {
      io.out(JSON.stringify({ input, ...(await answer(input)) }));
    } catch (e) {
      io.out(JSON.stringify({ input, error: e instanceof Error ? e.message : String(e) }));
    }
  }
  return 0;
}
