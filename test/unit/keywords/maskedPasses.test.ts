import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupIntoPasses, planMaskedPasses, spanSurprise, windowsOf, type PieceSpan } from '../../../src/core/keywords/maskedPasses';
import { candidatePhrases } from '../../../src/core/keywords/candidatePhrases';
import { encodeWithWordSpans } from '../../../src/core/keywords/wordSpans';

/** A fake WordPiece: one piece per 4 characters, ids from a running table. */
function fakePieces(): (w: string) => number[] {
  const table = new Map<string, number>();
  return (w) => {
    const out: number[] = [];
    for (let i = 0; i < w.length; i += 4) {
      const p = w.slice(i, i + 4);
      if (!table.has(p)) table.set(p, 1000 + table.size);
      out.push(table.get(p)!);
    }
    return out;
  };
}

test('spans in one pass never overlap and are at least minGap pieces apart', () => {
  const spans: PieceSpan[] = [];
  for (let s = 0; s < 200; s += 1) for (const len of [1, 2, 4]) if (s % 3 !== 2) spans.push({ start: s, end: s + len });
  for (const gap of [0, 3, 6]) {
    const pass = groupIntoPasses(spans, gap);
    const passes = Math.max(...pass) + 1;
    for (let p = 0; p < passes; p++) {
      const inPass = spans.filter((_, i) => pass[i] === p).sort((a, b) => a.start - b.start);
      for (let i = 1; i < inPass.length; i++) assert.ok(inPass[i]!.start - inPass[i - 1]!.end >= gap, `pass ${p} gap ${gap}`);
    }
    // Sorted by start, a pass is only opened when every open pass is busy at this start: the count
    // is the largest number of spans (each widened by the gap) over one piece, the least possible.
    let clique = 0;
    for (let x = 0; x < 210; x++) clique = Math.max(clique, spans.filter((s) => s.start <= x && x < s.end + gap).length);
    assert.equal(passes, clique, `gap ${gap}`);
  }
});

test('the plan masks every candidate exactly once, in one row, with its original ids as targets', () => {
  const text = 'Graph neural networks segment point clouds. Transformers outperform convolutional baselines on ImageNet-1k classification benchmarks.';
  const encoded = encodeWithWordSpans(text, fakePieces());
  const { candidates } = candidatePhrases(text, encoded.words);
  const plan = planMaskedPasses(encoded, candidates, { maxTokens: 512, minGap: 4, clsId: 101, sepId: 102, maskId: 103 });
  assert.equal(plan.skipped.length, 0);
  candidates.forEach((c, i) => {
    const targets = plan.targets.filter((t) => t.span === i);
    const pieces = encoded.ids.slice(encoded.words[c.firstWord]!.pieceStart, encoded.words[c.lastWord]!.pieceEnd);
    assert.deepEqual(
      targets.map((t) => t.id),
      pieces,
    );
    assert.equal(new Set(targets.map((t) => t.row)).size, 1);
    for (const t of targets) assert.equal(plan.rows[t.row]![t.position], 103);
  });
  for (const row of plan.rows) {
    assert.equal(row[0], 101);
    assert.equal(row[row.length - 1], 102);
    assert.equal(row.length, encoded.ids.length + 2);
  }
  // No row masks a position that is not a target.
  const masked = plan.rows.reduce((n, r) => n + r.filter((id) => id === 103).length, 0);
  assert.equal(masked, plan.targets.length);
  const surprise = spanSurprise(plan, plan.targets.map(() => -2), candidates.length);
  assert.ok(surprise.every((s) => s === 2));
});

test('long texts are cut into windows at word boundaries, preferably after a full stop', () => {
  const text = Array.from({ length: 40 }, (_, i) => `Sentence number ${i} talks about topic${i}.`).join(' ');
  const encoded = encodeWithWordSpans(text, fakePieces());
  const windows = windowsOf(encoded, 30);
  assert.equal(windows[0]![0], 0);
  assert.equal(windows[windows.length - 1]![1], encoded.words.length);
  for (let i = 0; i < windows.length; i++) {
    const [a, b] = windows[i]!;
    if (i > 0) assert.equal(a, windows[i - 1]![1]);
    assert.ok(encoded.words[b - 1]!.pieceEnd - encoded.words[a]!.pieceStart <= 30);
    if (b < encoded.words.length) assert.equal(encoded.words[b - 1]!.text, '.');
  }
  const { candidates } = candidatePhrases(text, encoded.words);
  const plan = planMaskedPasses(encoded, candidates, { maxTokens: 32, minGap: 4, clsId: 101, sepId: 102, maskId: 103 });
  assert.ok(plan.rows.every((r) => r.length <= 32));
  assert.equal(new Set(plan.targets.map((t) => t.span)).size + plan.skipped.length, candidates.length);
});
