/**
 * Text → L2-normalised vectors with an ONNX BERT-style encoder. Runs only inside the engine worker:
 * `session.run` blocks the thread it is called on.
 *
 * Folder src/engine/encoder/: the ONNX side of the engine — this encoder, the execution-provider
 * fallback, the model fingerprint, and onnxRuntime.ts, the one module that imports onnxruntime-node
 * (after onnxTelemetry.ts has switched its telemetry off). Imported by the engine's index/, search/,
 * keywords/ and server/ only; host and CLI reach it through the engine process.
 */
import path from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import * as ort from './onnxRuntime';
import { CachedWordPieceTokenizer } from '../../core/cachedTokenizer';
import { l2Normalise, lengthSortedBatches, padBatch, poolAndNormalise, type TokenisedText } from '../../core/tokenBatching';
import { openSessionWithFallback, type ProviderAttempt, type ProviderName } from './executionProviders';
import { modelFingerprint } from './modelFingerprint';
import { loadModelSettings, type ModelSettings } from '../models/modelFolder';

export interface EncoderOptions {
  providers: readonly ProviderName[];
  threads?: number;
  /** Max texts per batch. */
  batchSize?: number;
  /** Max padded tokens per batch; keeps memory flat whatever the text lengths. */
  batchTokens?: number;
  log?: (line: string) => void;
  /** An ONNX file of the model folder other than config.json's (benchmarks compare precisions of one model). */
  onnxFile?: string;
}

export type TextRole = 'query' | 'document';

export class TextEncoder {
  private constructor(
    readonly settings: ModelSettings,
    tokenizer: Tokenizer,
    private readonly session: ort.InferenceSession,
    readonly provider: ProviderName,
    readonly providerAttempts: ProviderAttempt[],
    private readonly options: EncoderOptions,
    private readonly ids: { cls: number; sep: number; pad: number },
    private readonly needsTokenTypes: boolean,
    /** The ONNX file actually loaded. */
    readonly onnxPath: string,
  ) {
    this.dims = settings.hiddenSize;
    this.wordPieces = new CachedWordPieceTokenizer(tokenizer, ids.cls, ids.sep);
  }

  private readonly wordPieces: CachedWordPieceTokenizer;

  /**
   * Names this encoder's vectors: the weights and every setting that changes a vector (token
   * budget, pooling, prefixes). Vectors made under different settings never share a table.
   */
  get fingerprint(): string {
    // Hashing reads the whole ONNX file: once per encoder is enough.
    if (this.fingerprintCache === undefined) {
      const { maxTokens, pooling, queryPrefix, documentPrefix } = this.settings;
      this.fingerprintCache = modelFingerprint(this.onnxPath, JSON.stringify({ maxTokens, pooling, queryPrefix, documentPrefix }));
    }
    return this.fingerprintCache;
  }

  private fingerprintCache: string | undefined;

  /** Vector width, read from the graph's output when the encoder opens. */
  dims: number;

  static async open(modelId: string, options: EncoderOptions): Promise<TextEncoder> {
    const settings = loadModelSettings(modelId);
    const tokenizer = new Tokenizer(settings.tokenizerJson, settings.tokenizerConfig);
    const onnxPath = options.onnxFile ? path.join(settings.dir, options.onnxFile) : settings.onnxPath;
    const opened = await openSessionWithFallback(onnxPath, options.providers, {
      ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    const special = (token: string, fallback: number): number => tokenizer.token_to_id(token) ?? fallback;
    const ids = { cls: special('[CLS]', 101), sep: special('[SEP]', 102), pad: special('[PAD]', 0) };
    const encoder = new TextEncoder(
      settings,
      tokenizer,
      opened.session,
      opened.provider,
      opened.attempts,
      options,
      ids,
      opened.session.inputNames.includes('token_type_ids'),
      onnxPath,
    );
    // The real width comes from the graph: run one tiny input rather than trust config.json.
    const [probe] = await encoder.encode(['probe'], 'document');
    encoder.dims = probe?.length ?? settings.hiddenSize;
    return encoder;
  }

  tokenise(text: string): number[] {
    return this.wordPieces.encode(text, this.settings.maxTokens);
  }

  private prefix(role: TextRole): string {
    return role === 'query' ? this.settings.queryPrefix : this.settings.documentPrefix;
  }

  /** Encodes texts in length-sorted batches; vectors come back in input order. */
  async encode(texts: readonly string[], role: TextRole, onBatch?: (done: number) => void): Promise<Float32Array[]> {
    const prefix = this.prefix(role);
    const tokenised: TokenisedText[] = texts.map((t, index) => ({ index, ids: this.tokenise(prefix + t) }));
    return this.encodeTokenised(tokenised, onBatch);
  }

  async encodeTokenised(tokenised: readonly TokenisedText[], onBatch?: (done: number) => void): Promise<Float32Array[]> {
    const out: Float32Array[] = new Array<Float32Array>(tokenised.length);
    const batches = lengthSortedBatches(tokenised, this.options.batchSize ?? 64, this.options.batchTokens ?? 16384);
    let done = 0;
    for (const batch of batches) {
      const { width, inputIds, attentionMask, tokenTypeIds } = padBatch(batch, this.ids.pad);
      const dims = [batch.length, width];
      const feeds: Record<string, ort.Tensor> = {
        input_ids: new ort.Tensor('int64', inputIds, dims),
        attention_mask: new ort.Tensor('int64', attentionMask, dims),
      };
      if (this.needsTokenTypes) feeds.token_type_ids = new ort.Tensor('int64', tokenTypeIds, dims);
      const result = await this.session.run(feeds);
      const output = result.last_hidden_state ?? result[this.session.outputNames[0] ?? ''];
      if (!output) throw new Error(`model ${this.settings.id} returned no last_hidden_state`);
      const hidden = output.data as Float32Array;
      const outDims = output.dims;
      const vectors =
        outDims.length === 2
          ? // Graphs with pooling built in return [batch, hidden] directly.
            Array.from({ length: batch.length }, (_, b) => l2Normalise(hidden.slice(b * outDims[1]!, (b + 1) * outDims[1]!)))
          : poolAndNormalise(hidden, batch.length, width, outDims[2]!, attentionMask, this.settings.pooling);
      batch.forEach((t, i) => {
        out[t.index] = vectors[i]!;
      });
      done += batch.length;
      onBatch?.(done);
    }
    return out;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
