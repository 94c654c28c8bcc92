/**
 * The head rewrite on a tiny hand-built ONNX graph shaped like an MLM (embedding → encoder MatMul →
 * head MatMul → Tanh → decoder MatMul → + bias = logits): the rewritten graph must return, for each
 * requested flat position, exactly the logits the original returns there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from '../../../src/engine/encoder/onnxRuntime';
import { gatherHeadPositions, POSITIONS_INPUT, TARGET_LOGPROB_OUTPUT, TARGETS_INPUT } from '../../../src/engine/keywords/keywordHeadGather';

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 128) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}
const cat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));
const len = (field: number, payload: Uint8Array): Uint8Array => cat(Uint8Array.from([...varint(field * 8 + 2), ...varint(payload.length)]), payload);
const num = (field: number, v: number): Uint8Array => Uint8Array.from([...varint(field * 8), ...varint(v)]);
const str = (field: number, s: string): Uint8Array => len(field, new TextEncoder().encode(s));

function node(op: string, inputs: string[], outputs: string[]): Uint8Array {
  return len(1, cat(...inputs.map((x) => str(1, x)), ...outputs.map((x) => str(2, x)), str(3, `${op}_${outputs[0]}`), str(4, op)));
}
function initializer(name: string, dims: number[], values: number[]): Uint8Array {
  return len(5, cat(...dims.map((d) => num(1, d)), num(2, 1), str(8, name), len(9, new Uint8Array(Float32Array.from(values).buffer))));
}
function valueInfo(field: number, name: string, elemType: number, dims: string[]): Uint8Array {
  const shape = len(2, cat(...dims.map((d) => len(1, str(2, d)))));
  return len(field, cat(str(1, name), len(2, len(1, cat(num(1, elemType), shape)))));
}

const H = 4;
const V = 6;
const VOCAB_IN = 10;
const values = (n: number, seed: number): number[] => Array.from({ length: n }, (_, i) => Math.sin(seed * 7.3 + i * 1.7));

function tinyMlm(): Uint8Array {
  const graph = cat(
    node('Gather', ['E', 'input_ids'], ['x']),
    node('MatMul', ['x', 'W1'], ['h']),
    node('MatMul', ['h', 'W2'], ['t']),
    node('Tanh', ['t'], ['u']),
    node('MatMul', ['u', 'W3'], ['z']),
    node('Add', ['z', 'bias'], ['logits']),
    str(2, 'tiny'),
    initializer('E', [VOCAB_IN, H], values(VOCAB_IN * H, 1)),
    initializer('W1', [H, H], values(H * H, 2)),
    initializer('W2', [H, H], values(H * H, 3)),
    initializer('W3', [H, V], values(H * V, 4)),
    initializer('bias', [V], values(V, 5)),
    valueInfo(11, 'input_ids', 7, ['batch', 'sequence']),
    valueInfo(12, 'logits', 1, ['batch', 'sequence', 'vocab']),
  );
  return cat(num(1, 8), len(8, cat(str(1, ''), num(2, 14))), len(7, graph));
}

test('the rewritten graph computes logits only at the requested positions, exactly', async () => {
  const model = tinyMlm();
  const rewritten = gatherHeadPositions(model);
  assert.ok(rewritten, 'head found');
  const full = await ort.InferenceSession.create(model);
  const gathered = await ort.InferenceSession.create(rewritten);
  try {
    assert.ok(gathered.inputNames.includes(POSITIONS_INPUT));
    const ids = new ort.Tensor('int64', BigInt64Array.from([1, 2, 3, 4, 5, 6, 7, 8].map(BigInt)), [2, 4]);
    const all = (await full.run({ input_ids: ids })).logits!;
    const positions = [6, 0, 3];
    const targets = [5, 0, 2];
    const out = await gathered.run({
      input_ids: ids,
      [POSITIONS_INPUT]: new ort.Tensor('int64', BigInt64Array.from(positions.map(BigInt)), [1, 3]),
      [TARGETS_INPUT]: new ort.Tensor('int64', BigInt64Array.from(targets.map(BigInt)), [1, 3, 1]),
    });
    const some = out.logits!;
    assert.deepEqual(some.dims, [1, 3, V]);
    const a = all.data as Float32Array;
    const b = some.data as Float32Array;
    positions.forEach((p, j) => assert.deepEqual(Array.from(b.subarray(j * V, (j + 1) * V)), Array.from(a.subarray(p * V, (p + 1) * V))));
    // The in-graph log-softmax at the targets equals the one computed from the full logits.
    const picked = out[TARGET_LOGPROB_OUTPUT]!.data as Float32Array;
    positions.forEach((p, j) => {
      const row = Array.from(a.subarray(p * V, (p + 1) * V));
      const max = Math.max(...row);
      const expected = row[targets[j]!]! - max - Math.log(row.reduce((sum, x) => sum + Math.exp(x - max), 0));
      assert.ok(Math.abs(picked[j]! - expected) < 1e-5, `${picked[j]} vs ${expected}`);
    });
  } finally {
    await full.release();
    await gathered.release();
  }
  // Rewriting twice is refused rather than stacking gathers.
  assert.equal(gatherHeadPositions(rewritten), undefined);
});

test('a graph without a two-MatMul head is left alone', () => {
  const graph = cat(node('Gather', ['E', 'input_ids'], ['logits']), initializer('E', [VOCAB_IN, H], values(VOCAB_IN * H, 1)), valueInfo(11, 'input_ids', 7, ['b', 's']), valueInfo(12, 'logits', 1, ['b', 's', 'h']));
  assert.equal(gatherHeadPositions(cat(num(1, 8), len(8, cat(str(1, ''), num(2, 14))), len(7, graph))), undefined);
  assert.equal(gatherHeadPositions(new Uint8Array([0x0a])), undefined);
});
