/**
 * The catalogue of models Paper Atlas knows: the bundled ones and the ones `models pull` can download.
 * It lives in models/manifest.json so that adding a model is a data change, and it is validated here
 * because a hand-edited JSON file is input like any other (CONVENTIONS #6).
 *
 * Download URLs are not stored: they follow the Hugging Face layout
 * `${hub}/${repo}/resolve/${revision}/${remotePath}`, and the hub can be swapped (PAPER_ATLAS_HUB_URL,
 * a mirror, or the tests' local server) without touching the manifest.
 *
 * Folder src/engine/models/: model manifest, selection, folders and downloads — plain files and HTTP,
 * no native module, so host and CLI may import it as well as the engine.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as v from 'valibot';
import { packageRoot } from '../node/packageRoot';

export const DEFAULT_HUB_URL = 'https://huggingface.co';

// Ids become folder names in the model cache; keep them to one safe path segment.
const ModelId = v.pipe(v.string(), v.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be letters, digits, ".", "_" or "-"'));

// Relative, forward-slash paths inside a model folder; no way to climb out of it.
const RelativePath = v.pipe(
  v.string(),
  v.check(
    (p) => p.length > 0 && !p.startsWith('/') && !p.includes('\\') && p.split('/').every((s) => s !== '' && s !== '.' && s !== '..'),
    'must be a relative path inside the model folder',
  ),
);

const FileSchema = v.strictObject({
  path: RelativePath,
  /** Path in the hub repository when it differs from `path` (e.g. a quantized export renamed on install). */
  remotePath: v.optional(RelativePath),
  size: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  sha256: v.optional(v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits'))),
  /** Where a pinned hash came from, for the next person who bumps the revision. */
  sha256Source: v.optional(v.string()),
});

const SourceSchema = v.strictObject({
  repo: v.pipe(v.string(), v.regex(/^[A-Za-z0-9][\w.-]*\/[\w.-]+$/, 'must be "owner/name"')),
  revision: v.pipe(v.string(), v.regex(/^(?:[0-9a-f]{40}|[\w.-]+)$/, 'must be a commit hash or a branch name')),
  baseUrl: v.optional(v.pipe(v.string(), v.url())),
  /** Why the revision is what it is: where a hash was found, or why a branch is used instead. */
  revisionNote: v.optional(v.string()),
});

const EntrySchema = v.strictObject({
  id: ModelId,
  task: v.picklist(['encoder', 'mlm']),
  bundled: v.boolean(),
  description: v.optional(v.string()),
  /** Hidden size: the embedding width for an encoder. */
  dims: v.pipe(v.number(), v.integer(), v.minValue(1)),
  maxTokens: v.pipe(v.number(), v.integer(), v.minValue(1)),
  pooling: v.optional(v.picklist(['mean', 'cls'])),
  queryPrefix: v.optional(v.string(), ''),
  documentPrefix: v.optional(v.string(), ''),
  licence: v.string(),
  source: v.optional(SourceSchema),
  files: v.optional(v.array(FileSchema), []),
});

const ManifestSchema = v.strictObject({
  version: v.literal(1),
  models: v.array(EntrySchema),
});

export type ModelTask = 'encoder' | 'mlm';
export type ManifestEntry = v.InferOutput<typeof EntrySchema>;
export type ManifestFile = v.InferOutput<typeof FileSchema>;
export type Manifest = v.InferOutput<typeof ManifestSchema>;

/** A manifest file with the URL it is fetched from. */
export interface ResolvedFile extends ManifestFile {
  url: string;
}

export function defaultManifestPath(): string {
  return path.join(packageRoot(), 'models', 'manifest.json');
}

/**
 * The manifest, validated. Tests pass a path or an object; everything else reads the shipped one.
 * Throws one message listing every problem, with its location, so a bad edit is quick to fix.
 */
export function loadManifest(from?: string | unknown): Manifest {
  let raw: unknown = from;
  let where = 'the manifest';
  if (from === undefined || typeof from === 'string') {
    const file = from ?? defaultManifestPath();
    where = file;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    } catch (e) {
      throw new Error(`cannot read model manifest ${file}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const parsed = v.safeParse(ManifestSchema, raw);
  if (!parsed.success) {
    const problems = parsed.issues.map((i) => `${v.getDotPath(i) ?? '(root)'}: ${i.message}`);
    throw new Error(`invalid model manifest ${where}: ${problems.join('; ')}`);
  }
  const problems = crossCheck(parsed.output);
  if (problems.length > 0) throw new Error(`invalid model manifest ${where}: ${problems.join('; ')}`);
  return parsed.output;
}

// Rules that span fields, which the per-field schema cannot express.
function crossCheck(manifest: Manifest): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const m of manifest.models) {
    if (seen.has(m.id)) problems.push(`${m.id}: duplicate id`);
    seen.add(m.id);
    if (m.task === 'encoder' && !m.pooling) problems.push(`${m.id}: an encoder needs "pooling"`);
    if (!m.bundled) {
      if (!m.source) problems.push(`${m.id}: a downloadable model needs "source"`);
      if (m.files.length === 0) problems.push(`${m.id}: a downloadable model needs "files"`);
      if (!m.files.some((f) => f.path === 'config.json')) problems.push(`${m.id}: "files" must include config.json`);
      if (!m.files.some((f) => f.path.endsWith('.onnx'))) problems.push(`${m.id}: "files" must include an .onnx file`);
      if (m.source && !/^[0-9a-f]{40}$/.test(m.source.revision) && !m.source.revisionNote) {
        problems.push(`${m.id}: revision "${m.source.revision}" is not a commit hash, so "revisionNote" must say why`);
      }
    }
    const paths = new Set<string>();
    for (const f of m.files) {
      if (paths.has(f.path)) problems.push(`${m.id}: duplicate file ${f.path}`);
      paths.add(f.path);
    }
  }
  return problems;
}

export function findModel(id: string, manifest: Manifest = loadManifest()): ManifestEntry | undefined {
  return manifest.models.find((m) => m.id === id);
}

/** The hub to download from: an explicit choice, then PAPER_ATLAS_HUB_URL, then the entry's own, then huggingface.co. */
export function hubBaseUrl(entry: ManifestEntry, hubUrl?: string): string {
  const base = hubUrl ?? process.env.PAPER_ATLAS_HUB_URL ?? entry.source?.baseUrl ?? DEFAULT_HUB_URL;
  return base.replace(/\/+$/, '');
}

export function resolveFiles(entry: ManifestEntry, hubUrl?: string): ResolvedFile[] {
  const source = entry.source;
  if (!source) throw new Error(`model "${entry.id}" is bundled with Paper Atlas and has nothing to download`);
  const base = hubBaseUrl(entry, hubUrl);
  return entry.files.map((f) => ({
    ...f,
    url: `${base}/${source.repo}/resolve/${encodeURIComponent(source.revision)}/${(f.remotePath ?? f.path).split('/').map(encodeURIComponent).join('/')}`,
  }));
}

/**
 * The keys Paper Atlas reads from config.json (see modelFolder.ts) for this entry. Hub models lack
 * them, so the installer writes them in; one loader then serves bundled and downloaded models alike.
 */
export function atlasConfigKeys(entry: ManifestEntry): Record<string, unknown> {
  const onnx = entry.files.find((f) => f.path.endsWith('.onnx'));
  return {
    atlas_id: entry.id,
    ...(entry.pooling ? { pooling: entry.pooling } : {}),
    max_tokens: entry.maxTokens,
    query_prefix: entry.queryPrefix,
    document_prefix: entry.documentPrefix,
    ...(onnx ? { onnx_file: onnx.path } : {}),
  };
}
