/**
 * The `paper-atlas` command end to end, as a script would call it: separate processes, JSON out,
 * one clear line on stderr and a non-zero exit for every kind of user error.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../../../src/engine/node/packageRoot';

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

test('cite: the fixture library ranks the paper a paragraph is about first, with the keyphrases they share', () => {
  // Runs after the first test indexed the fixture library into this folder.
  const r = cli('cite', '--text', 'We translate sentences with attention mechanisms instead of recurrent neural networks.', '--k', '3', '--json');
  assert.equal(r.code, 0, r.stderr);
  const hits = JSON.parse(r.stdout) as { id: string; title: string; score: number; reason: string }[];
  assert.equal(hits.length, 3);
  assert.equal(hits[0]?.id, 'vaswani2017attention');
  assert.deepEqual(Object.keys(hits[0] ?? {}).sort(), ['id', 'reason', 'score', 'title']);
  assert.match(hits[0]?.reason ?? '', /attention mechanisms/);
  assert.match(hits[0]?.reason ?? '', /neural networks/);

  const batch = path.join(work, 'paragraphs.txt');
  writeFileSync(batch, 'A promptable model for image segmentation with a billion masks.\nLatent growth mixture models of posttraumatic stress.\n');
  const b = cli('cite', '--batch', batch, '--k', '2');
  assert.equal(b.code, 0, b.stderr);
  const lines = b.stdout.trim().split('\n').map((l) => JSON.parse(l) as { input: string; hits: { id: string }[] });
  assert.deepEqual(
    lines.map((l) => l.hits[0]?.id),
    ['kirillov2023segment', 'schoot2017ptsd'],
  );
  const bad = cli('cite', 'stray words');
  assert.equal(bad.code, 2, bad.stderr);
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

test('flags are bounded and nonsense is refused: one line on stderr, exit 2, before the engine starts', () => {
  const longLine = path.join(work, 'long-line.txt');
  writeFileSync(longLine, `short query\n${'x'.repeat(40_000)}\n`);
  const cases: [string[], RegExp][] = [
    [['search', 'x', '--k', ''], /--k must be a whole number from 1 to 1000, got ""/],
    [['search', 'x', '--k', '0'], /--k must be a whole number from 1 to 1000/],
    [['search', 'x', '--k', '1e3'], /--k must be a whole number/],
    [['search', 'x', '--k', '100000'], /--k must be a whole number from 1 to 1000/],
    [['search', ''], /search needs a query/],
    [['search', '   '], /search needs a query/],
    [['search', 'x', '--threads', '100000'], /--threads must be a whole number from 1 to \d+/],
    [['search', 'x', '--threads', '0'], /--threads must be a whole number/],
    [['search', '--batch', '/dev/zero'], /--batch \/dev\/zero: a character device, not a regular file/],
    [['related', '--batch', work], /a folder, not a regular file/],
    [['search', '--batch', longLine], /--batch line 2 has 40000 characters; at most 32768/],
    [['search', 'x', '--diversity', '0.5', '--k', '500'], /--k must be at most 200 with --diversity/],
    [['search', 'x', '--diversity', ''], /--diversity must be a number between 0 and 1/],
    [['search', 'x', '--diversity', '2'], /--diversity must be a number between 0 and 1/],
    [['search', 'x', '--mode', 'fast'], /--mode must be hybrid, vector or fts/],
    [['clusters', '--clusters', '100000000'], /--clusters must be "auto" or a whole number from 1 to 1000/],
    [['search', 'x', '--providers', ''], /--providers must be a comma-separated list/],
    [['search', 'x', '--k'], /argument missing/],
    [['keywords', '--text', ''], /--text is empty/],
    [['models'], /models needs a command: list, pull or use/],
    [['models', 'fetch'], /unknown models command "fetch"/],
    [['models', 'pull'], /missing required argument 'id'/],
    [['index'], /missing required argument 'paths'/],
    [['--json'], /missing command/],
  ];
  for (const [args, message] of cases) {
    const r = cli(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
  // In range is fine.
  const ok = cli('search', 'transformer', '--k', '1000', '--threads', '2', '--diversity', '0.5', '--k', '200', '--json');
  assert.equal(ok.code, 0, ok.stderr);
});

test('a closed stdout (`paper-atlas map --json | head`) ends quietly: no stack trace, exit 0', async () => {
  for (const args of [['map', '--json'], ['clusters'], ['search', 'attention', '--json']]) {
    const child = spawn(process.execPath, [bin, ...args], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
    // The reader goes away before the CLI writes anything, as `head` does after its lines.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(stderr, '', `${args.join(' ')}: ${stderr}`);
    assert.equal(code, 0, args.join(' '));
  }
});

test('human output strips terminal escape sequences from titles, authors, ids and file names; --json keeps them', () => {
  const db = path.join(work, 'hostile-db');
  const title = 'Evil\x1b[2J\x1b[1;1H forged \u202Eresults\u202C title';
  const author = '\x1b]0;pwned window title\x07Mallory';
  const id = 'evil\x1b[31mred';
  // A library file whose name sets the terminal title when printed raw.
  const file = path.join(work, 'lib\x1b]0;owned\x07.jsonl');
  writeFileSync(file, `${JSON.stringify({ id, title, abstract: 'An abstract about attention and transformers.', authors: [author] })}\n`);
  const indexed = cli('index', file, '--db', db);
  assert.equal(indexed.code, 0, indexed.stderr);
  const human = cli('search', 'attention transformers', '--db', db);
  assert.equal(human.code, 0, human.stderr);
  const control = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;
  for (const [what, text] of [
    ['index stdout', indexed.stdout],
    ['index stderr (progress)', indexed.stderr],
    ['search', human.stdout],
    ['map', cli('map', '--db', db).stdout],
    ['clusters', cli('clusters', '--db', db).stdout],
    ['info', cli('info', '--db', db).stdout],
  ] as const) {
    assert.doesNotMatch(text, control, `${what}: ${JSON.stringify(text)}`);
  }
  assert.match(human.stdout, /Evil forged results title/);
  assert.match(human.stdout, /Mallory/);
  const json = JSON.parse(cli('search', 'attention transformers', '--db', db, '--json').stdout) as { id: string; title: string; authors: string[] }[];
  assert.deepEqual([json[0]?.id, json[0]?.title, json[0]?.authors], [id, title, [author]]);
});
