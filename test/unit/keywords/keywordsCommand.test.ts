import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runKeywordsCommand, type KeywordsSource } from '../../../src/cli/keywordsCommand';
import type { KeywordsResult } from '../../../src/shared/engineProtocol';

function fakeSource(calls: Array<{ id?: string; text?: string; k: number }>): KeywordsSource {
  return {
    keywords: async (params) => {
      calls.push(params);
      if (params.id === 'missing' || params.text === 'boom') throw new Error(`no paper with id "${params.id ?? ''}"`);
      const text = params.text ?? 'Paper title. Abstract about graph networks.';
      const top = [
        { text: 'graph networks', score: 5.5, start: text.indexOf('graph'), end: text.indexOf('graph') + 14 },
        { text: 'Abstract', score: 1.25, start: 13, end: 21 },
      ].slice(0, params.k);
      return { spans: top, top, text } satisfies KeywordsResult;
    },
  };
}

function io(): { out: string[]; err: string[]; opts: { out: (s: string) => void; err: (s: string) => void } } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, opts: { out: (s) => out.push(s), err: (s) => err.push(s) } };
}

test('keywords <id> --json prints the top-k as [{text, score, start, end}]', async () => {
  const calls: Array<{ id?: string; text?: string; k: number }> = [];
  const { out, opts } = io();
  assert.equal(await runKeywordsCommand(['p1'], fakeSource(calls), { ...opts, k: 1, json: true }), 0);
  assert.deepEqual(calls, [{ id: 'p1', k: 1 }]);
  const parsed = JSON.parse(out[0]!) as unknown[];
  assert.deepEqual(parsed, [{ text: 'graph networks', score: 5.5, start: 28, end: 42 }]);
});

test('--text prints a readable list; errors and bad usage give exit codes 1 and 2', async () => {
  const calls: Array<{ id?: string; text?: string; k: number }> = [];
  const a = io();
  assert.equal(await runKeywordsCommand([], fakeSource(calls), { ...a.opts, k: 10, json: false, text: 'about graph networks here' }), 0);
  assert.match(a.out[0]!, /1\.\s+5\.500 {2}graph networks {2}\[6–20\]/);
  const b = io();
  assert.equal(await runKeywordsCommand(['missing'], fakeSource(calls), { ...b.opts, k: 10, json: false }), 1);
  assert.match(b.err[0]!, /no paper with id "missing"/);
  const c = io();
  assert.equal(await runKeywordsCommand([], fakeSource(calls), { ...c.opts, k: 10, json: false }), 2);
  assert.equal(await runKeywordsCommand(['a'], fakeSource(calls), { ...c.opts, k: 10, json: false, text: 'x' }), 2);
  assert.equal(await runKeywordsCommand(['a'], fakeSource(calls), { ...c.opts, k: 0, json: false }), 2);
});

test('--batch writes one JSON line per input, in order, errors on their own line', async () => {
  const calls: Array<{ id?: string; text?: string; k: number }> = [];
  const { out, opts } = io();
  const file = 'first text with graph networks\n\nboom\r\nlast graph networks\n';
  const code = await runKeywordsCommand([], fakeSource(calls), { ...opts, k: 2, json: false, batch: 'in.txt', readFile: () => file });
  assert.equal(code, 0);
  const lines = out.map((l) => JSON.parse(l) as { input: string; keywords?: unknown[]; error?: string });
  assert.deepEqual(
    lines.map((l) => l.input),
    ['first text with graph networks', 'boom', 'last graph networks'],
  );
  assert.equal(lines[0]!.keywords?.length, 2);
  assert.ok(lines[1]!.error);
  const bad = io();
  assert.equal(
    await runKeywordsCommand([], fakeSource(calls), {
      ...bad.opts,
      k: 2,
      json: false,
      batch: 'nope.txt',
      readFile: () => {
        throw new Error('ENOENT');
      },
    }),
    2,
  );
});
