/**
 * `paper-atlas models list|pull|use`: what can be used, downloading a model on request, and choosing
 * the index's default model. Runs on the CLI thread without the engine worker: none of it needs ONNX
 * or LanceDB, and `pull` is the only command in Paper Atlas that touches the network.
 */
import { DEFAULT_ENCODER_ID, DEFAULT_MLM_ID } from '../engine/models/modelFolder';
import { terminalText } from '../core/displayText';
import { listModels, modelStatus, pullModel, trustOnFirstUseNote } from '../engine/models/modelDownloader';
import type { ModelListing, PullProgress } from '../engine/models/modelDownloader';
import { findModel, loadManifest } from '../engine/models/modelManifest';
import type { Manifest, ModelTask } from '../engine/models/modelManifest';
import { readSelectedModel, writeSelectedModel } from '../engine/models/modelSelection';

export const MODELS_USAGE = `usage: paper-atlas models <command>

commands:
  list          models Paper Atlas knows: bundled, installed, or available to pull
  pull <id>     download a model into the model cache (the only command that uses the network)
  use <id>      make a bundled or installed model the default for this index (--db)`;

export interface ModelsCommandOptions {
  dbDir: string;
  json: boolean;
  out: (s: string) => void;
  err: (s: string) => void;
  /** For tests: a manifest, cache folder and hub other than the real ones. */
  manifest?: Manifest;
  cacheDir?: string;
  hubUrl?: string;
}

const DEFAULTS: Record<ModelTask, string> = { encoder: DEFAULT_ENCODER_ID, mlm: DEFAULT_MLM_ID };

/** Returns the exit code: 0 done, 1 failed, 2 bad usage. Never throws. */
export async function runModelsCommand(args: string[], opts: ModelsCommandOptions): Promise<number> {
  const [sub, ...rest] = args;
  try {
    switch (sub) {
      case 'list':
        if (rest.length > 0) return usage(opts, `"models list" takes no arguments`);
        return listCommand(opts);
      case 'pull':
        if (rest.length !== 1 || !rest[0]) return usage(opts, `"models pull" needs exactly one model id`);
        return await pullCommand(rest[0], opts);
      case 'use':
        if (rest.length !== 1 || !rest[0]) return usage(opts, `"models use" needs exactly one model id`);
        return useCommand(rest[0], opts);
      case undefined:
        return usage(opts, 'missing models command');
      default:
        return usage(opts, `unknown models command "${sub}"`);
    }
  } catch (e) {
    opts.err(`paper-atlas: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

function usage(opts: ModelsCommandOptions, problem: string): number {
  opts.err(`paper-atlas: ${problem}\n${MODELS_USAGE}`);
  return 2;
}

function selected(dbDir: string, task: ModelTask): string {
  return readSelectedModel(dbDir, task) ?? DEFAULTS[task];
}

function mb(bytes: number | undefined): string {
  return bytes === undefined ? '-' : `${(bytes / 1e6).toFixed(1)} MB`;
}

function listCommand(opts: ModelsCommandOptions): number {
  const models = listModels({ ...(opts.cacheDir ? { cacheDir: opts.cacheDir } : {}), ...(opts.manifest ? { manifest: opts.manifest } : {}) });
  const chosen = { encoder: selected(opts.dbDir, 'encoder'), mlm: selected(opts.dbDir, 'mlm') };
  const isSelected = (m: ModelListing): boolean => chosen[m.task] === m.id;
  if (opts.json) {
    opts.out(JSON.stringify(models.map((m) => ({ ...m, selected: isSelected(m) }))));
    return 0;
  }
  const rows = models.map((m) => [isSelected(m) ? '*' : ' ', m.id, m.task, m.status, String(m.dims), mb(m.sizeBytes), m.checksums, m.licence].map((c) => terminalText(c)));
  const header = [' ', 'ID', 'TASK', 'STATUS', 'DIMS', 'SIZE', 'CHECKSUMS', 'LICENCE'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  const notes = [`* = used by ${terminalText(opts.dbDir)} when no --model is given`];
  // Said where the user chooses a model: a download without a published hash is trusted on first use.
  if (models.some((m) => trustOnFirstUseNote(m) !== undefined))
    notes.push('CHECKSUMS "first use" / "partly pinned": the manifest has no published sha256 for (some of) the files; the first download is trusted as it is, its hashes are recorded, and later downloads must match them.');
  opts.out([line(header), ...rows.map(line), '', ...notes].join('\n'));
  return 0;
}

async function pullCommand(id: string, opts: ModelsCommandOptions): Promise<number> {
  const manifest = opts.manifest ?? loadManifest();
  const entry = findModel(id, manifest);
  if (entry?.bundled) {
    opts.out(opts.json ? JSON.stringify({ id, bundled: true }) : `${id} is bundled with Paper Atlas; nothing to download`);
    return 0;
  }
  const listing = entry ? listModels({ manifest, ...(opts.cacheDir ? { cacheDir: opts.cacheDir } : {}) }).find((m) => m.id === entry.id) : undefined;
  const trust = listing ? trustOnFirstUseNote(listing) : undefined;
  if (trust) opts.err(`pull ${id}: ${trust}`);
  // Ctrl+C stops the download cleanly; the partial files stay so that the next pull resumes.
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  let lastLine = 0;
  let lastFile = -1;
  const progress = (p: PullProgress): void => {
    const now = Date.now();
    const fileFinished = p.fileTotal !== undefined && p.fileDone === p.fileTotal;
    if (p.fileIndex === lastFile && !fileFinished && now - lastLine < 1000) return;
    lastFile = p.fileIndex;
    lastLine = now;
    const overall = p.total ? ` · ${Math.floor((p.done / p.total) * 100)}% of ${mb(p.total)}` : '';
    opts.err(`pull ${p.id}: ${p.file} ${mb(p.fileDone)}${p.fileTotal !== undefined ? ` / ${mb(p.fileTotal)}` : ''} (file ${p.fileIndex + 1} of ${p.fileCount})${overall}`);
  };
  try {
    const result = await pullModel(id, {
      manifest,
      onProgress: progress,
      signal: controller.signal,
      ...(opts.cacheDir ? { cacheDir: opts.cacheDir } : {}),
      ...(opts.hubUrl ? { hubUrl: opts.hubUrl } : {}),
    });
    if (opts.json) {
      opts.out(JSON.stringify(result));
      return 0;
    }
    const size = result.files.reduce((a, f) => a + f.size, 0);
    const firstSeen = result.files.filter((f) => f.verifiedAgainst === 'first download').length;
    opts.out(
      `installed ${id} in ${result.dir} (${mb(size)}; ${mb(result.bytesFetched)} downloaded)` +
        (firstSeen > 0 ? `; ${firstSeen} file(s) have no published sha256, so their hashes were recorded now and later downloads must match them` : '') +
        `\nuse it with: paper-atlas models use ${id}`,
    );
    return 0;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

function useCommand(id: string, opts: ModelsCommandOptions): number {
  const manifest = opts.manifest ?? loadManifest();
  const entry = findModel(id, manifest);
  if (!entry) throw new Error(`unknown model "${id}"; run "paper-atlas models list" to see the models`);
  const { status, dir } = modelStatus(entry, opts.cacheDir);
  if (status === 'not installed') throw new Error(`model "${id}" is not installed; run "paper-atlas models pull ${id}" first`);
  if (!dir) throw new Error(`bundled model "${id}" is missing from this Paper Atlas installation`);
  const previous = selected(opts.dbDir, entry.task);
  writeSelectedModel(opts.dbDir, entry.task, id);
  const reembed = entry.task === 'encoder' && previous !== id;
  if (opts.json) {
    opts.out(JSON.stringify({ id, task: entry.task, dbDir: opts.dbDir, previous, reembed }));
    return 0;
  }
  if (previous === id) opts.out(`${id} is already the ${entry.task} for ${opts.dbDir}`);
  else if (entry.task === 'encoder')
    opts.out(
      `${id} is now the encoder for ${opts.dbDir}. The next "paper-atlas index" embeds the library again into a separate table for ${id}; ` +
        `the vectors of ${previous} stay in their own table.`,
    );
  else opts.out(`${id} is now the masked-language model for ${opts.dbDir}`);
  return 0;
}
