/**
 * Paper Atlas must start by itself in every workspace whose library the default `paperAtlas.include`
 * reads, and must not start in a repository that merely has Markdown files (every repository has a
 * README). Each default include glob is an activation event, except `**\/*.md`, which stands for a
 * few narrower globs naming where Markdown papers live: Zotero/Obsidian literature notes
 * (`@citekey.md`, folders called papers or literature…) and pasted lists (`…papers….md`).
 * The globs are checked with fast-glob on files made for the test, as VS Code globs them.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import fg from 'fast-glob';
import { manifest } from './manifest';

const MARKDOWN = '**/*.md';

function workspaceContains(): string[] {
  return manifest()
    .activationEvents.filter((e) => e.startsWith('workspaceContains:'))
    .map((e) => e.slice('workspaceContains:'.length));
}

function defaultInclude(): string[] {
  const d = manifest().contributes.configuration.properties['paperAtlas.include']?.default;
  assert.ok(Array.isArray(d) && d.every((g) => typeof g === 'string'), 'paperAtlas.include has a default list');
  return d as string[];
}

/** Which of `files` (relative paths) would activate the extension. */
function activating(files: readonly string[], globs: readonly string[]): string[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pa-activation-'));
  try {
    for (const f of files) {
      mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      writeFileSync(path.join(dir, f), '');
    }
    return fg.sync([...globs], { cwd: dir, dot: false }).sort();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('every default include glob except Markdown is an activation event', () => {
  const events = new Set(workspaceContains());
  const missing = defaultInclude().filter((g) => g !== MARKDOWN && !events.has(g));
  assert.deepEqual(missing, [], `activationEvents lack workspaceContains: for ${missing.join(', ')}`);
});

test('a workspace with only JSON Lines, gzipped JSON Lines or a pasted list activates', () => {
  for (const file of ['data/arxiv.jsonl', 'dump/library.jsonl.gz', 'daily-papers-2024-05-01.txt', 'reading/hf-papers.txt', 'refs.bib', 'x.csl.json', 'y.ris']) {
    assert.deepEqual(activating([file], workspaceContains()), [file], file);
  }
});

test('Markdown papers activate; a README, a changelog or ordinary notes do not', () => {
  const globs = workspaceContains();
  assert.ok(!globs.includes(MARKDOWN), 'no activation on every Markdown file');
  // Every Markdown activation glob is narrower than the include glob: it only names files the index reads.
  const markdownGlobs = globs.filter((g) => g.endsWith('.md'));
  assert.ok(markdownGlobs.length > 0, 'some Markdown papers activate');
  const papers = ['@vaswani2017attention.md', 'notes/@he2016resnet.md', 'papers/attention.md', 'research/Papers/resnet.md', 'literature/bert.md', 'vault/Literature Notes/gpt3.md', 'daily-papers-2024-05-01.md', 'hf/papers-week-12.md'];
  assert.deepEqual(activating(papers, globs), [...papers].sort());
  assert.deepEqual(activating(papers, [MARKDOWN]), [...papers].sort(), 'the include reads each of them');
  const ordinary = ['README.md', 'docs/README.md', 'CHANGELOG.md', 'CONTRIBUTING.md', 'notes/ideas.md', 'docs/architecture.md', '.github/PULL_REQUEST_TEMPLATE.md'];
  assert.deepEqual(activating(ordinary, globs), []);
});
