import { test } from 'node:test';
import assert from 'node:assert/strict';
import { paperReasonText, sharedKeyphrases, suggestCitations, type CitationSource } from '../../../src/core/citations/citationSuggestions';
import { formatCitations, runCiteCommand } from '../../../src/cli/citeCommand';
import type { Paper } from '../../../src/shared/paper';
import type { SearchHit } from '../../../src/shared/engineProtocol';

function paper(id: string, title: string, abstract: string): Paper {
  return { id, title, abstract, authors: ['Doe, Jane'], keywords: [], sources: [{ file: '/lib/papers.bib', line: 1 }], contentHash: id };
}

const transformer = paper(
  'vaswani2017attention',
  'Attention Is All You Need',
  'We propose a new simple network architecture, the Transformer, based solely on attention mechanisms, for machine translation tasks.',
);
const sam = paper('kirillov2023segment', 'Segment Anything', 'A new task, model, and dataset for image segmentation.');

test('shared keyphrases: stemmed matches in the paper wording, longest first, no stop-words, no repeats inside longer ones', () => {
  const text = 'Attention mechanisms replaced recurrence in neural machine translation; the network architectures we use are simple.';
  const shared = sharedKeyphrases(text, paperReasonText(transformer));
  // Two-term phrases in the paper's order; "network architecture" meets the text's "network architectures"
  // through the stemmed key.
  assert.deepEqual(shared.slice(0, 3), ['network architecture', 'attention mechanisms', 'machine translation']);
  // Contained in a longer shared phrase, so not repeated; stop-words ("the", "we", "use") never appear alone.
  assert.ok(!shared.includes('attention') && !shared.includes('translation'), shared.join('|'));
  for (const s of shared) assert.ok(!/^(?:the|we|use|in)$/i.test(s), s);
});

test('shared keyphrases: a sentence copied from the abstract gives disjoint phrases, not every overlapping window', () => {
  const sentence = 'Cosm combines locally interacting continuous circular variables with global coordination rules.';
  const shared = sharedKeyphrases(sentence, `Cosm. ${sentence}`, 10);
  const words = shared.flatMap((s) => s.toLowerCase().split(' '));
  assert.equal(new Set(words).size, words.length, shared.join('|'));
  assert.deepEqual(shared, ['Cosm combines locally', 'interacting continuous circular', 'variables with global', 'coordination rules']);
});

test('shared keyphrases: nothing in common, a limit, and an empty abstract', () => {
  assert.deepEqual(sharedKeyphrases('Bayesian priors for trauma trajectories', paperReasonText(sam)), []);
  assert.equal(sharedKeyphrases('image segmentation dataset model task', paperReasonText(sam), 2).length, 2);
  assert.deepEqual(sharedKeyphrases('segment anything', 'Segment Anything'), ['Segment Anything']);
  assert.deepEqual(sharedKeyphrases('anything', 'Segment Anything', 0), []);
});

function fakeSource(hits: SearchHit[], papers: Paper[], calls: { text: string; k: number }[] = []): CitationSource {
  return {
    relatedToText: (p) => {
      calls.push(p);
      if (p.text.includes('FAIL')) return Promise.reject(new Error('engine failed'));
      return Promise.resolve(hits.slice(0, p.k));
    },
    papers: (ids) => Promise.resolve(papers.filter((p) => ids.includes(p.id))),
  };
}

const hits: SearchHit[] = [
  { id: 'vaswani2017attention', title: transformer.title, score: 0.9, authors: [], source: '' },
  { id: 'gone', title: 'A paper removed meanwhile', score: 0.5, authors: [], source: '' },
];

test('suggestCitations passes the text and k to the engine and explains each hit; a paper gone from the store has no reason', async () => {
  const calls: { text: string; k: number }[] = [];
  const out = await suggestCitations(fakeSource(hits, [transformer], calls), 'attention mechanisms for translation', 2);
  assert.deepEqual(calls, [{ text: 'attention mechanisms for translation', k: 2 }]);
  assert.deepEqual(out, [
    { id: 'vaswani2017attention', title: transformer.title, score: 0.9, reason: 'attention mechanisms, translation' },
    { id: 'gone', title: 'A paper removed meanwhile', score: 0.5, reason: '' },
  ]);
});

test('cite --batch: one JSON line per paragraph, in order, errors on their own line', async () => {
  const lines: string[] = [];
  const code = await runCiteCommand([], fakeSource(hits, [transformer]), {
    k: 1,
    json: false,
    batch: 'paras.txt',
    readFile: () => 'attention mechanisms\n\nFAIL here\nmachine translation\n',
    out: (l) => lines.push(l),
    err: (l) => assert.fail(l),
  });
  assert.equal(code, 0);
  const parsed = lines.map((l) => JSON.parse(l) as { input: string; hits?: { id: string; reason: string }[]; error?: string });
  assert.deepEqual(
    parsed.map((p) => p.input),
    ['attention mechanisms', 'FAIL here', 'machine translation'],
  );
  assert.equal(parsed[0]?.hits?.[0]?.reason, 'attention mechanisms');
  assert.equal(parsed[1]?.error, 'engine failed');
  assert.equal(parsed[2]?.hits?.[0]?.reason, 'machine translation');
});

test('cite usage errors are one line with exit 2; engine errors exit 1', async () => {
  const run = async (args: string[], opts: { text?: string; batch?: string; k?: number }): Promise<[number, string[]]> => {
    const errs: string[] = [];
    const code = await runCiteCommand(args, fakeSource(hits, [transformer]), { k: opts.k ?? 10, json: true, ...opts, out: () => undefined, err: (l) => errs.push(l) });
    return [code, errs];
  };
  assert.deepEqual((await run([], {}))[0], 2);
  assert.deepEqual((await run([], { text: 'a', batch: 'f' }))[0], 2);
  assert.deepEqual((await run(['stray'], { text: 'a' }))[0], 2);
  assert.deepEqual((await run([], { text: '   ' }))[0], 2);
  assert.deepEqual((await run([], { text: 'a', k: 0 }))[0], 2);
  const [code, errs] = await run([], { text: 'FAIL' });
  assert.equal(code, 1);
  assert.deepEqual(errs, ['paper-atlas: engine failed']);
});

test('human output strips control characters from library text', () => {
  const text = formatCitations([{ id: 'k\u001b]8;;x\u0007', title: 'Evil \u001b[2J title', score: 0.5, reason: 'a\u001b[31m b' }]);
  assert.doesNotMatch(text, /\u001b/);
  assert.match(text, /shared: /);
  assert.equal(formatCitations([]), 'no results');
});
