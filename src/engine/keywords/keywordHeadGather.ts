/**
 * Rewrites an MLM graph so its vocabulary head runs only at the positions we ask for. For a small
 * MLM the head (hidden → 30,522 logits) costs several times the whole encoder per token, and its
 * [batch, seq, vocab] output is ~120 KB per token; keyword scoring needs the logits of the masked
 * positions only. The rewrite inserts, in front of the head's first MatMul,
 *   Flatten(axis 2) → Gather(axis 0, indices = new input `keyword_positions` int64 [1, m])
 * so the head sees [1, m, hidden] and `logits` becomes [1, m, vocab] (positions index the flattened
 * batch × sequence). The head's first MatMul is the second MatMul met walking back from the logits
 * (decoder, then transform) — true for BERT, DistilBERT and ELECTRA-generator heads.
 *
 * Protobuf is edited at the wire level (no ONNX/protobuf library is a dependency): only the graph's
 * node list is parsed; new fields are appended, which protobuf allows for repeated fields. If the
 * graph does not look as expected this returns undefined and the caller uses the model unchanged.
 * (Models whose weights live in external data files cannot be loaded from bytes; the caller falls
 * back to the file when the rewritten session fails to open.)
 */

export const POSITIONS_INPUT = 'keyword_positions';
/** int64 [1, m, 1]: the vocabulary id whose log-probability is wanted at each gathered position. */
export const TARGETS_INPUT = 'keyword_targets';
/** float [1, m, 1]: log softmax(logits)[target] — computed in the graph, so only m floats come back. */
export const TARGET_LOGPROB_OUTPUT = 'keyword_target_logprob';

interface Field {
  field: number;
  wire: number;
  /** The whole field (tag + payload) as it appears in the message. */
  raw: Uint8Array;
  /** Payload of a length-delimited field. */
  payload?: Uint8Array;
}

function readVarint(buf: Uint8Array, pos: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const b = buf[pos++]!;
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return [value, pos];
    scale *= 128;
  }
}

function parseFields(buf: Uint8Array): Field[] {
  const fields: Field[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const start = pos;
    const [tag, afterTag] = readVarint(buf, pos);
    pos = afterTag;
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    let payload: Uint8Array | undefined;
    if (wire === 0) pos = readVarint(buf, pos)[1];
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const [len, afterLen] = readVarint(buf, pos);
      payload = buf.subarray(afterLen, afterLen + len);
      pos = afterLen + len;
    } else throw new Error(`unsupported wire type ${wire}`);
    if (pos > buf.length) throw new Error('truncated field');
    fields.push({ field, wire, raw: buf.subarray(start, pos), ...(payload ? { payload } : {}) });
  }
  return fields;
}

function varint(n: number): number[] {
  const out: number[] = [];
  if (n < 0) {
    // int64 fields carry negatives as 64-bit two's complement: always ten bytes.
    let v = (1n << 64n) + BigInt(n);
    while (v >= 128n) {
      out.push(Number(v % 128n) | 0x80);
      v /= 128n;
    }
    out.push(Number(v));
    return out;
  }
  while (n >= 128) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

function bytesField(field: number, payload: Uint8Array): Uint8Array {
  return concat([Uint8Array.from([...varint(field * 8 + 2), ...varint(payload.length)]), payload]);
}

function varintField(field: number, value: number): Uint8Array {
  return Uint8Array.from([...varint(field * 8), ...varint(value)]);
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();
const stringField = (field: number, s: string): Uint8Array => bytesField(field, utf8.encode(s));

interface NodeInfo {
  inputs: string[];
  outputs: string[];
  opType: string;
  fieldIndex: number;
}

// ONNX field numbers (onnx.proto): ModelProto.graph = 7; GraphProto.node = 1, initializer = 5,
// input = 11; NodeProto.input = 1, output = 2, name = 3, op_type = 4, attribute = 5;
// AttributeProto.name = 1, i = 3, type = 20 (INT = 2); TensorProto.name = 8;
// ValueInfoProto.name = 1, type = 2; TypeProto.tensor_type = 1; Tensor.elem_type = 1, shape = 2;
// TensorShapeProto.dim = 1; Dimension.dim_value = 1, dim_param = 2.
function nodeInfo(payload: Uint8Array, fieldIndex: number): NodeInfo {
  const node: NodeInfo = { inputs: [], outputs: [], opType: '', fieldIndex };
  for (const f of parseFields(payload)) {
    if (!f.payload) continue;
    if (f.field === 1) node.inputs.push(fromUtf8.decode(f.payload));
    else if (f.field === 2) node.outputs.push(fromUtf8.decode(f.payload));
    else if (f.field === 4) node.opType = fromUtf8.decode(f.payload);
  }
  return node;
}

function nodeBytes(opType: string, name: string, inputs: string[], outputs: string[], intAttrs: Record<string, number>): Uint8Array {
  const attrs = Object.entries(intAttrs).map(([k, v]) => bytesField(5, concat([stringField(1, k), varintField(3, v), varintField(20, 2)])));
  return bytesField(1, concat([...inputs.map((s) => stringField(1, s)), ...outputs.map((s) => stringField(2, s)), stringField(3, name), stringField(4, opType), ...attrs]));
}

/** A ValueInfoProto as graph input (field 11) or output (12); dims are numbers or symbolic names. */
function valueInfo(field: 11 | 12, name: string, elemType: number, dims: readonly (number | string)[]): Uint8Array {
  const dim = (d: number | string): Uint8Array => bytesField(1, typeof d === 'number' ? varintField(1, d) : stringField(2, d));
  const shape = bytesField(2, concat(dims.map(dim)));
  const tensorType = bytesField(1, concat([varintField(1, elemType), shape]));
  return bytesField(field, concat([stringField(1, name), bytesField(2, tensorType)]));
}

const INT64 = 7;
const FLOAT = 1;

/** The rewritten model, or undefined when the graph's head could not be found (or the bytes do not parse). */
export function gatherHeadPositions(model: Uint8Array, logitsName = 'logits'): Uint8Array | undefined {
  try {
    return rewrite(model, logitsName);
  } catch {
    return undefined;
  }
}

function rewrite(model: Uint8Array, logitsName: string): Uint8Array | undefined {
  const modelFields = parseFields(model);
  const graphIndex = modelFields.findIndex((f) => f.field === 7 && f.payload);
  const graph = modelFields[graphIndex]?.payload;
  if (!graph) return undefined;
  const graphFields = parseFields(graph);
  const nodes: NodeInfo[] = [];
  const constants = new Set<string>();
  graphFields.forEach((f, i) => {
    if (f.field === 1 && f.payload) nodes.push(nodeInfo(f.payload, i));
    if (f.field === 5 && f.payload) {
      const name = parseFields(f.payload).find((x) => x.field === 8 && x.payload);
      if (name?.payload) constants.add(fromUtf8.decode(name.payload));
    }
  });
  if (nodes.some((n) => n.inputs.includes(POSITIONS_INPUT))) return undefined;
  // Constant-ness flows forward (nodes are topologically sorted in a valid ONNX graph).
  const producer = new Map<string, NodeInfo>();
  for (const n of nodes) {
    for (const o of n.outputs) producer.set(o, n);
    if (n.opType === 'Constant' || (n.inputs.length > 0 && n.inputs.every((x) => x === '' || constants.has(x)))) for (const o of n.outputs) constants.add(o);
  }
  // Walk back from the logits breadth-first along non-constant inputs; the second MatMul is the head's first.
  const seen = new Set<NodeInfo>();
  let frontier = [producer.get(logitsName)].filter((n): n is NodeInfo => n !== undefined);
  let matmuls = 0;
  let headInput: { node: NodeInfo; tensor: string } | undefined;
  while (frontier.length > 0 && !headInput) {
    const next: NodeInfo[] = [];
    for (const n of frontier) {
      if (seen.has(n)) continue;
      seen.add(n);
      const data = n.inputs.filter((x) => x !== '' && !constants.has(x));
      if (n.opType === 'MatMul' || n.opType === 'Gemm') {
        matmuls += 1;
        if (matmuls === 2) {
          if (data.length !== 1) return undefined;
          headInput = { node: n, tensor: data[0]! };
          break;
        }
      }
      for (const x of data) {
        const p = producer.get(x);
        if (p) next.push(p);
      }
    }
    frontier = next;
  }
  if (!headInput) return undefined;
  const flat = `${POSITIONS_INPUT}/flat`;
  const gathered = `${POSITIONS_INPUT}/gathered`;
  const target = headInput.node;
  const original = graphFields[target.fieldIndex]!.payload!;
  // Re-encode the head's MatMul with its data input renamed; every other field is kept byte for byte.
  const rewrittenNode = bytesField(
    1,
    concat(
      parseFields(original).map((f) =>
        f.field === 1 && f.payload && fromUtf8.decode(f.payload) === headInput.tensor ? stringField(1, gathered) : f.raw,
      ),
    ),
  );
  const newGraph = concat([
    ...graphFields.map((f, i) => (i === target.fieldIndex ? rewrittenNode : f.raw)),
    nodeBytes('Flatten', `${POSITIONS_INPUT}/Flatten`, [headInput.tensor], [flat], { axis: 2 }),
    nodeBytes('Gather', `${POSITIONS_INPUT}/Gather`, [flat, POSITIONS_INPUT], [gathered], { axis: 0 }),
    valueInfo(11, POSITIONS_INPUT, INT64, [1, 'positions']),
    // The log-softmax over the vocabulary at the gathered positions, and the targets' entries of it.
    nodeBytes('LogSoftmax', `${TARGETS_INPUT}/LogSoftmax`, [logitsName], [`${TARGETS_INPUT}/logsoftmax`], { axis: -1 }),
    nodeBytes('GatherElements', `${TARGETS_INPUT}/GatherElements`, [`${TARGETS_INPUT}/logsoftmax`, TARGETS_INPUT], [TARGET_LOGPROB_OUTPUT], { axis: 2 }),
    valueInfo(11, TARGETS_INPUT, INT64, [1, 'positions', 1]),
    valueInfo(12, TARGET_LOGPROB_OUTPUT, FLOAT, [1, 'positions', 1]),
  ]);
  // Node order must stay topological: move the two new nodes in front of the rewritten MatMul.
  return concat(modelFields.map((f, i) => (i === graphIndex ? bytesField(7, reorderNodes(newGraph, gathered)) : f.raw)));
}

/**
 * Moves the Flatten and Gather nodes (appended after all others) just before the first consumer of
 * `gathered`; the log-softmax nodes appended after them consume the logits and may stay last.
 */
function reorderNodes(graph: Uint8Array, gathered: string): Uint8Array {
  const fields = parseFields(graph);
  const nodeFields = fields.filter((f) => f.field === 1);
  const added = nodeFields.slice(-4, -2);
  const others = fields.filter((f) => !added.includes(f));
  const consumer = others.findIndex((f) => f.field === 1 && f.payload !== undefined && nodeInfo(f.payload, 0).inputs.includes(gathered));
  if (consumer < 0) return graph;
  return concat([...others.slice(0, consumer).map((f) => f.raw), ...added.map((f) => f.raw), ...others.slice(consumer).map((f) => f.raw)]);
}
