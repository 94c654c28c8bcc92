/**
 * Indexing progress in words, for every place that shows it (the VS Code notification and status bar,
 * the CLI's progress line): files and papers as counts, file sizes in human units. The engine reports
 * raw numbers (bytes while reading, papers after); how they read is decided here, once.
 *
 * The text is plain and holds the library file's name: each surface still escapes it for itself
 * (`notificationText`, `terminalText` in src/core/displayText.ts).
 */
import type { IndexProgress } from '../shared/engineProtocol';

const UNITS = ['KB', 'MB', 'GB', 'TB'];

/** 1,422,321 → "1.4 MB"; 1024-based like VS Code's own file sizes; whole bytes under 1 KB. */
export function humanBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1024) return `${Math.max(0, Math.round(bytes || 0))} B`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 ? Math.round(value) : value.toFixed(1)} ${UNITS[unit]}`;
}

export function count(n: number): string {
  return Math.round(n).toLocaleString('en');
}

function plural(n: number, one: string, many: string): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}

export interface ProgressTextOptions {
  /** Append the file being read (`— name`). */
  file?: boolean;
}

/**
 * "reading file 3 of 12 (1.0 of 1.4 MB), 1,234 papers so far — refs.bib", "embedding 640 of 1,000
 * papers", "comparing 1,234 papers with the index", …
 */
export function progressText(p: IndexProgress, options: ProgressTextOptions = {}): string {
  let text: string;
  switch (p.phase) {
    case 'reading': {
      const files = p.filesTotal !== undefined && p.filesTotal > 0 ? `file ${count(Math.min((p.filesDone ?? 0) + 1, p.filesTotal))} of ${count(p.filesTotal)}` : 'files';
      const sizes = p.total > 0 ? ` (${humanBytes(p.done)} of ${humanBytes(p.total)})` : '';
      const papers = p.papersFound !== undefined ? `, ${plural(p.papersFound, 'paper', 'papers')} so far` : '';
      text = `reading ${files}${sizes}${papers}`;
      break;
    }
    case 'comparing':
      text = `comparing ${plural(p.total, 'paper', 'papers')} with the index`;
      break;
    case 'embedding':
      text = `embedding ${count(p.done)} of ${plural(p.total, 'paper', 'papers')}`;
      break;
    case 'writing':
      text = `updating ${plural(p.total, 'paper', 'papers')}`;
      break;
    case 'optimising':
      text = 'optimising the index';
      break;
    case 'done':
      text = 'done';
      break;
  }
  return options.file && p.message ? `${text} — ${p.message}` : text;
}
