/**
 * Indexing progress in words (issue 12.10): files, papers and human sizes instead of raw byte counts,
 * the same in VS Code and in the CLI's progress line; the file name is escaped where it is shown.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressBar } from '../../../src/cli/progressBar';
import { humanBytes, progressText } from '../../../src/core/progressText';

test('humanBytes: 1024-based, one decimal under 100, whole bytes under 1 KB', () => {
  assert.deepEqual(
    [0, 1, 1023, 1024, 991_043, 1_422_321, 150 * 1024 * 1024, 3 * 1024 ** 3, 5 * 1024 ** 5].map(humanBytes),
    ['0 B', '1 B', '1023 B', '1.0 KB', '968 KB', '1.4 MB', '150 MB', '3.0 GB', '5120 TB'],
  );
});

test('progressText reads in files, papers and sizes, never in raw bytes', () => {
  const reading = progressText({ phase: 'reading', done: 991_043, total: 1_422_321, message: 'refs.bib', filesDone: 2, filesTotal: 12, papersFound: 1234 }, { file: true });
  assert.equal(reading, 'reading file 3 of 12 (968 KB of 1.4 MB), 1,234 papers so far — refs.bib');
  assert.doesNotMatch(reading, /991043|1422321/);
  // An engine that does not send file counts yet still reads in sizes.
  assert.equal(progressText({ phase: 'reading', done: 991_043, total: 1_422_321 }), 'reading files (968 KB of 1.4 MB)');
  assert.equal(progressText({ phase: 'embedding', done: 640, total: 1000 }), 'embedding 640 of 1,000 papers');
  assert.equal(progressText({ phase: 'comparing', done: 0, total: 1 }), 'comparing 1 paper with the index');
  assert.equal(progressText({ phase: 'writing', done: 0, total: 12 }), 'updating 12 papers');
  assert.equal(progressText({ phase: 'optimising', done: 0, total: 1 }), 'optimising the index');
});

test('the CLI progress line uses the same words and strips escape sequences from the file name', () => {
  const written: string[] = [];
  const stream = { isTTY: false, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
  const bar = new ProgressBar(stream);
  bar.update({ phase: 'reading', done: 991_043, total: 1_422_321, message: 'lib\x1b]0;owned\x07.bib', filesDone: 0, filesTotal: 2, papersFound: 0 });
  bar.update({ phase: 'embedding', done: 64, total: 128 });
  assert.match(written[0]!, /^ 70% reading file 1 of 2 \(968 KB of 1\.4 MB\), 0 papers so far — lib\.bib · \d+s\n$/);
  assert.match(written[1]!, /^ 50% embedding 64 of 128 papers(, \d+\/s)? · \d+s\n$/);
  assert.doesNotMatch(written.join(''), /\x1b|\x07/);
});
