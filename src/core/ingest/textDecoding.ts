/**
 * Library files' bytes to text without losing a file to one bad byte: binary files are told apart
 * from damaged text files, and lines with invalid UTF-8 or NUL bytes are decoded with U+FFFD and
 * reported at their line, so the entries on every other line are read as written.
 */
import { isUtf8 } from 'node:buffer';
import type { IngestDiagnostic } from '../../shared/paper';

/**
 * A NUL byte this early means a binary file (git's rule: the first 8,000 bytes). Later NULs are
 * damage inside a text file and are handled like invalid UTF-8: replaced and reported at their line.
 */
export const BINARY_SNIFF_BYTES = 8000;

export function hasUtf16Bom(bytes: Uint8Array): boolean {
  return (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
}

/** UTF-16 text is full of NULs; its byte-order mark says it is text all the same. */
export function looksBinary(bytes: Uint8Array): boolean {
  return !hasUtf16Bom(bytes) && bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0);
}

// A Latin-1 file has a bad byte on most lines; the first are listed, the rest counted in one note.
const MAX_ENCODING_DIAGNOSTICS = 20;

/**
 * Reports lines that hold invalid UTF-8 or NUL bytes, one at a time, keeping the file's line numbers
 * as the parsers count them (CRLF and lone CR are one line break each, as the text is normalised).
 */
export class EncodingReporter {
  private listed = 0;
  private unlisted = 0;
  private firstUnlisted = 0;

  constructor(private readonly file: string) {}

  report(line: number, out: IngestDiagnostic[]): void {
    if (this.listed < MAX_ENCODING_DIAGNOSTICS) {
      this.listed++;
      out.push({ file: this.file, line, severity: 'warning', message: 'invalid UTF-8 or NUL bytes on this line were replaced with U+FFFD (save the file as UTF-8)' });
    } else if (this.unlisted++ === 0) this.firstUnlisted = line;
  }

  finish(out: IngestDiagnostic[]): void {
    if (this.unlisted === 0) return;
    out.push({ file: this.file, line: this.firstUnlisted, severity: 'warning', message: `${this.unlisted} more lines held invalid UTF-8 or NUL bytes (not listed one by one)` });
  }
}

/** One line of bytes as text: valid UTF-8 as is, anything else with U+FFFD for each bad sequence. */
export function decodeLine(bytes: Buffer): { text: string; damaged: boolean } {
  const damaged = !isUtf8(bytes) || bytes.includes(0);
  const text = bytes.toString('utf8');
  return { text: damaged ? text.replace(/\u0000/g, '\uFFFD') : text, damaged };
}

/**
 * A whole file's bytes as text. UTF-16 (with its byte-order mark) is decoded as such; otherwise
 * UTF-8, where lines with invalid sequences or NUL bytes are decoded with U+FFFD and reported.
 */
export function decodeFile(bytes: Uint8Array, file: string): { text: string; diagnostics: IngestDiagnostic[] } {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(bytes), diagnostics: [] };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: new TextDecoder('utf-16be').decode(bytes), diagnostics: [] };
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isUtf8(buf) && !buf.includes(0)) return { text: buf.toString('utf8'), diagnostics: [] };
  const diagnostics: IngestDiagnostic[] = [];
  const reporter = new EncodingReporter(file);
  const parts: string[] = [];
  let line = 1;
  let start = 0;
  for (let i = 0; i <= buf.length; i++) {
    const b = i < buf.length ? buf[i] : 0x0a;
    if (b !== 0x0a && b !== 0x0d) continue;
    const { text, damaged } = decodeLine(buf.subarray(start, i));
    if (damaged) reporter.report(line, diagnostics);
    parts.push(text);
    if (i === buf.length) break;
    const crlf = b === 0x0d && buf[i + 1] === 0x0a;
    parts.push(crlf ? '\r\n' : b === 0x0d ? '\r' : '\n');
    if (crlf) i++;
    start = i + 1;
    line++;
  }
  reporter.finish(diagnostics);
  return { text: parts.join(''), diagnostics };
}
