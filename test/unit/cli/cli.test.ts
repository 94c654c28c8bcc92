/**
 * The `paper-atlas` command end to end, as a script would call it: separate processes, JSON out,
 * one clear line on stderr and a non-zero exit for every kind of user error.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../../../src/engine/packageRoot';

const bin = path.join(packageRoot(), 'bin', 'paper-atlas.js');
const library = path.join(packageRoot(), 'test', 'fixtures', 'library');
const dailyPapers = path.join(packageRoot(), '..', 'shared', 'data', 'daily-papers.txt');
let work: string;

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: work, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'atlas-cli-'));
});
after(() => rmSync(work, { recursive: true, force: true }));

test('index prints a JSON summary; search and related answer in JSON hits', () => {
  const indexed = cli('index', library, '--json', '--providers', 'cuda,cpu');
  assert.equal(indexed.code, 0, indexed.stderr);
  const summary = JSON.parse(indexed.stdout) as Record<string, unknown>;
  assert.equal(summary.papers, 6);
  assert.equal(summary.provider, 'cpu');
  assert.equal(typeof summary.eventLoopLagP99Ms, 'number');
  assert.match(indexed.stderr, /cuda/);

  const search = cli('search', 'transformer attention translation', '--k', '2', '--json');
  assert.equal(search.code, 0, search.stderr);
  const hits = JSON.parse(search.stdout) as { id: string; title: string; score: number; authors: string[]; source: string }[];
  assert.equal(hits.length, 2);
  assert.equal(hits[0]?.id, 'vaswani2017attention');
  for (const key of ['id', 'title', 'score', 'authors', 'source']) assert.ok(key in (hits[0] ?? {}), key);

  const related = cli('related', 'radford2021clip', '--json', '--k', '3');
  assert.equal(related.code, 0, related.stderr);
  assert.equal((JSON.parse(related.stdout) as unknown[]).length, 3);
});

test('--batch answers one JSON line per input, in order, errors included', () => {
  const batch = path.join(work, 'ids.txt');
  writeFileSync(batch, 'kirillov2023segment\nno-such-id\nvaswani2017attention\n');
  const r = cli('related', '--batch', batch, '--k', '2');
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { input: string; hits?: unknown[]; error?: string });
  assert.deepEqual(
    lines.map((l) => l.input),
    ['kirillov2023segment', 'no-such-id', 'vaswani2017attention'],
  );
  assert.equal(lines[0]?.hits?.length, 2);
  assert.match(lines[1]?.error ?? '', /no paper with id/);
});

test('user errors: one line on stderr, non-zero exit, no stack trace', () => {
  const cases: [string[], RegExp, number][] = [
    [['related', 'no-such-id'], /no paper with id "no-such-id"/, 1],
    [['search', 'x', '--db', path.join(work, 'nowhere')], /no index at/, 1],
    [['search', 'x', '--k', 'ten'], /--k must be a whole number/, 2],
    [['search', 'x', '--frobnicate'], /Unknown option '--frobnicate'/, 2],
    [['launch'], /unknown command "launch"/, 2],
    [['index', path.join(work, 'missing.bib')], /no library files found/, 1],
  ];
  for (const [args, message, code] of cases) {
    const r = cli(...args);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
});

test('daily-papers.txt: 29 papers, and the two segmentation papers rank first', (t) => {
  if (!existsSync(dailyPapers)) return t.skip('../shared/data is absent on this machine');
  const db = path.join(work, 'daily');
  const indexed = cli('index', dailyPapers, '--db', db, '--json');
  assert.equal(indexed.code, 0, indexed.stderr);
  assert.equal((JSON.parse(indexed.stdout) as { papers: number }).papers, 29);
  const r = cli('search', 'open-vocabulary segmentation', '--db', db, '--json', '--k', '5');
  const hits = JSON.parse(r.stdout) as { title: string }[];
  assert.deepEqual(
    hits
      .slice(0, 2)
      .map((h) => h.title)
      .sort(),
    ['Mask-Adapter: The Devil is in the Masks for Open-Vocabulary Segmentation', 'Prompt-Guided Mask Proposal for Two-Stage Open-Vocabulary Segmentation'],
  );
});
