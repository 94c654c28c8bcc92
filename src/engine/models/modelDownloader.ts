/**
 * Downloads a model from the manifest into the model cache, and nothing else: no other code path
 * touches the network, so Paper Atlas stays offline unless someone runs `models pull`.
 *
 * Model files are large and connections drop, so each file goes to `<cache>/.partial/<id>/<file>.part`
 * and a later attempt asks for the rest with a Range request. A file is only trusted after its sha256
 * matches the manifest or, where the manifest has none, the hash recorded by the first download
 * (`.atlas-download.json`). Everything is assembled in a staging folder inside the cache and renamed
 * into place, so the engine never sees half a model.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as v from 'valibot';
import { modelCacheDir } from './modelFolder';
import { atlasConfigKeys, findModel, loadManifest, resolveFiles } from './modelManifest';
import type { Manifest, ManifestEntry, ModelTask, ResolvedFile } from './modelManifest';
import { acquireFileLock } from '../node/fileLock';
import { packageRoot } from '../node/packageRoot';

export const DOWNLOAD_RECORD = '.atlas-download.json';
const PARTIAL_DIR = '.partial';
const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const OFFLINE_CODES = new Set(['ENOTFOUND', 'ECONNREFUSED', 'EAI_AGAIN', 'ETIMEDOUT', 'ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN']);

export type DownloadErrorKind = 'unknown-model' | 'offline' | 'http' | 'network' | 'integrity' | 'disk' | 'aborted' | 'busy';

/** One-line, user-facing failure of a pull; `kind` lets callers (CLI, host) react without parsing text. */
export class ModelDownloadError extends Error {
  constructor(
    readonly kind: DownloadErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ModelDownloadError';
  }
}

export interface PullProgress {
  id: string;
  /** Path of the file inside the model folder. */
  file: string;
  fileIndex: number;
  fileCount: number;
  fileDone: number;
  fileTotal: number | undefined;
  /** Bytes on disk for the whole model, resumed bytes included. */
  done: number;
  /** Known once every file's size is known (from the manifest or the server). */
  total: number | undefined;
}

export interface PullOptions {
  onProgress?: (p: PullProgress) => void;
  signal?: AbortSignal;
  cacheDir?: string;
  /** Overrides PAPER_ATLAS_HUB_URL and the manifest's base URL. */
  hubUrl?: string;
  /** Injected by tests; the shipped manifest otherwise. */
  manifest?: Manifest;
  /** Extra attempts per file after a dropped connection; each resumes where the last one stopped. */
  retries?: number;
  /** Give up on a connection that sends nothing for this long. */
  timeoutMs?: number;
}

export interface PulledFile {
  path: string;
  url: string;
  size: number;
  sha256: string;
  /** What the hash was checked against: the manifest, the first download's record, or nothing (first download). */
  verifiedAgainst: 'manifest' | 'record' | 'first download';
}

export interface PullResult {
  id: string;
  dir: string;
  files: PulledFile[];
  /** Bytes that crossed the network in this call (less than the model's size after a resume). */
  bytesFetched: number;
  /** An older install was replaced. */
  replaced: boolean;
}

const RecordSchema = v.object({
  version: v.literal(1),
  id: v.string(),
  repo: v.string(),
  revision: v.string(),
  installedAt: v.string(),
  files: v.array(
    v.object({
      path: v.string(),
      url: v.string(),
      size: v.number(),
      sha256: v.string(),
      installedSha256: v.optional(v.string()),
    }),
  ),
});
export type DownloadRecord = v.InferOutput<typeof RecordSchema>;

/** Where `id` is (or would be) installed; the same name `resolveModelDir` looks for. */
export function installedModelDir(id: string, cacheDir: string = modelCacheDir()): string {
  return path.join(cacheDir, id.replace(/\//g, '--'));
}

export function readDownloadRecord(dir: string): DownloadRecord | undefined {
  const file = path.join(dir, DOWNLOAD_RECORD);
  if (!existsSync(file)) return undefined;
  try {
    const parsed = v.safeParse(RecordSchema, JSON.parse(readFileSync(file, 'utf8')) as unknown);
    return parsed.success ? parsed.output : undefined;
  } catch {
    // An unreadable record only means nothing to verify against; the manifest hashes still apply.
    return undefined;
  }
}

export async function pullModel(id: string, opts: PullOptions = {}): Promise<PullResult> {
  const manifest = opts.manifest ?? loadManifest();
  const entry = findModel(id, manifest);
  if (!entry) throw new ModelDownloadError('unknown-model', `unknown model "${id}"; run "paper-atlas models list" to see the models that can be pulled`);
  if (entry.bundled || !entry.source) throw new ModelDownloadError('unknown-model', `model "${id}" is bundled with Paper Atlas; there is nothing to download`);
  const source = entry.source;
  const cacheDir = opts.cacheDir ?? modelCacheDir();
  const dirName = path.basename(installedModelDir(id, cacheDir));
  const finalDir = path.join(cacheDir, dirName);
  const partialDir = path.join(cacheDir, PARTIAL_DIR, dirName);
  const files = resolveFiles(entry, opts.hubUrl);

  // Hashes from an earlier install of the same revision stand in for the manifest's missing ones.
  const previous = readDownloadRecord(finalDir);
  const recorded = previous && previous.repo === source.repo && previous.revision === source.revision ? previous : undefined;

  await disk(`create ${partialDir}`, () => fsp.mkdir(partialDir, { recursive: true }));
  const releaseLock = acquireLock(`${partialDir}.lock`, id);
  try {
    await removeLeftovers(cacheDir, dirName);
    await forgetPartsOfOtherRevisions(partialDir, `${source.repo}@${source.revision}`);
    const sizes: (number | undefined)[] = files.map((f) => f.size);
    const doneBytes: number[] = files.map(() => 0);
    const report = (i: number, fileDone: number): void => {
      doneBytes[i] = fileDone;
      const file = files[i];
      if (!opts.onProgress || !file) return;
      opts.onProgress({
        id,
        file: file.path,
        fileIndex: i,
        fileCount: files.length,
        fileDone,
        fileTotal: sizes[i],
        done: doneBytes.reduce((a, b) => a + b, 0),
        total: sizes.every((s) => s !== undefined) ? sizes.reduce<number>((a, b) => a + (b ?? 0), 0) : undefined,
      });
    };

    const pulled: PulledFile[] = [];
    let bytesFetched = 0;
    for (const [i, file] of files.entries()) {
      const part = path.join(partialDir, `${file.path}.part`);
      await disk(`create ${path.dirname(part)}`, () => fsp.mkdir(path.dirname(part), { recursive: true }));
      bytesFetched += await fetchWithResume(file, part, opts, (fileDone, fileTotal) => {
        if (fileTotal !== undefined) sizes[i] = fileTotal;
        report(i, fileDone);
      });
      pulled.push(await verifyPart(entry, file, part, recorded));
    }
    const replaced = await install(entry, pulled, partialDir, cacheDir, finalDir);
    await fsp.rm(partialDir, { recursive: true, force: true });
    return { id, dir: finalDir, files: pulled, bytesFetched, replaced };
  } finally {
    releaseLock();
  }
}

// ---------------------------------------------------------------------------------------------------
// HTTP

interface FetchContext {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** GET that follows redirects itself: node's http does not, and the hub sends large files to a CDN. */
function get(url: string, headers: Record<string, string>, ctx: FetchContext, redirectsLeft = MAX_REDIRECTS): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      reject(new ModelDownloadError('http', `invalid download URL ${url}`));
      return;
    }
    const client = target.protocol === 'https:' ? https : target.protocol === 'http:' ? http : undefined;
    if (!client) {
      reject(new ModelDownloadError('http', `unsupported protocol in ${url}`));
      return;
    }
    const req = client.get(target, { headers, ...(ctx.signal ? { signal: ctx.signal } : {}) });
    const timeoutMs = ctx.timeoutMs ?? 30_000;
    req.setTimeout(timeoutMs, () => {
      req.destroy(Object.assign(new Error(`no data from ${target.host} for ${Math.round(timeoutMs / 1000)}s`), { code: 'ETIMEDOUT' }));
    });
    req.on('error', (e) => reject(networkError(e, target, ctx.signal)));
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      if (REDIRECTS.has(status)) {
        drain(res);
        const location = res.headers.location;
        if (!location) return reject(new ModelDownloadError('http', `HTTP ${status} without a Location header from ${url}`, status));
        if (redirectsLeft <= 0) return reject(new ModelDownloadError('http', `too many redirects (more than ${MAX_REDIRECTS}) fetching ${url}`, status));
        // Location may be relative to the URL that sent it.
        resolve(get(new URL(location, target).toString(), headers, ctx, redirectsLeft - 1));
        return;
      }
      if (status === 200 || status === 206 || status === 416) return resolve(res);
      drain(res);
      reject(httpError(status, res.statusMessage ?? '', url));
    });
  });
}

/** Discards a body we do not want. A dropped connection then must not surface as an unhandled 'error'. */
function drain(res: http.IncomingMessage): void {
  res.on('error', () => undefined);
  res.resume();
}

function httpError(status: number, statusText: string, url: string): ModelDownloadError {
  const hint =
    status === 401 || status === 403
      ? ': the repository is gated or private (Paper Atlas sends no credentials)'
      : status === 404
        ? ': no such file at this revision'
        : status === 429
          ? ': rate limited, try again later'
          : status >= 500
            ? ': server error, try again later'
            : '';
  const err = new ModelDownloadError('http', `HTTP ${status}${statusText ? ` ${statusText}` : ''} for ${url}${hint}`, status);
  return err;
}

function errorCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function networkError(e: unknown, target: URL, signal: AbortSignal | undefined): ModelDownloadError {
  if (e instanceof ModelDownloadError) return e;
  if (signal?.aborted || errorCode(e) === 'ABORT_ERR') return new ModelDownloadError('aborted', 'download cancelled; run the command again to resume');
  const code = errorCode(e);
  if (code && OFFLINE_CODES.has(code)) {
    return new ModelDownloadError('offline', `cannot reach ${target.host}: you appear to be offline; Paper Atlas works offline with its bundled models`);
  }
  return new ModelDownloadError('network', `connection to ${target.host} failed: ${e instanceof Error ? e.message : String(e)}`);
}

/** Fetches one file into its .part, resuming after drops; returns the bytes that crossed the network. */
async function fetchWithResume(file: ResolvedFile, part: string, opts: PullOptions, onBytes: (done: number, total: number | undefined) => void): Promise<number> {
  const retries = opts.retries ?? 3;
  let fetched = 0;
  for (let attempt = 0; ; attempt++) {
    try {
      // Not `fetched += await …`: that would read `fetched` before the bytes of failed streams are added.
      const n = await fetchOnce(file, part, opts, onBytes, (partial) => (fetched += partial));
      return fetched + n;
    } catch (e) {
      const err = e instanceof ModelDownloadError ? e : new ModelDownloadError('network', `downloading ${file.path} failed: ${String(e)}`);
      const transient = err.kind === 'network' || (err.kind === 'http' && (err.status ?? 0) >= 500);
      if (!transient || attempt >= retries || opts.signal?.aborted) throw err;
      // Whatever reached the .part stays there; the next request asks only for the rest.
    }
  }
}

function partSize(part: string): number {
  try {
    return statSync(part).size;
  } catch {
    return 0;
  }
}

/**
 * One request. Returns bytes fetched by the final successful stream; bytes of a stream that failed
 * half-way are reported through `countPartial` so the caller's total stays right across retries.
 */
async function fetchOnce(
  file: ResolvedFile,
  part: string,
  opts: PullOptions,
  onBytes: (done: number, total: number | undefined) => void,
  countPartial: (n: number) => void,
  mayRestart = true,
): Promise<number> {
  const have = partSize(part);
  const headers: Record<string, string> = { 'user-agent': 'paper-atlas', accept: '*/*' };
  if (have > 0) headers.range = `bytes=${have}-`;
  const res = await get(file.url, headers, { ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) });
  const status = res.statusCode ?? 0;
  const restart = async (): Promise<number> => {
    drain(res);
    await disk(`delete ${part}`, () => fsp.rm(part, { force: true }));
    if (!mayRestart) throw new ModelDownloadError('network', `the server answered a resumed download of ${file.path} inconsistently`);
    return fetchOnce(file, part, opts, onBytes, countPartial, false);
  };

  let start = 0;
  let total: number | undefined;
  if (status === 416) {
    // Nothing left to send: the .part is complete if the server's size matches it, stale otherwise.
    const size = parseContentRange(res.headers['content-range'])?.total;
    drain(res);
    if (have > 0 && size === have) {
      onBytes(have, have);
      return 0;
    }
    return restart();
  } else if (status === 206) {
    const range = parseContentRange(res.headers['content-range']);
    if (!range || range.start !== have) return restart();
    start = have;
    total = range.total;
  } else {
    // 200: the server ignored the Range (or there was none); start the file over.
    const length = Number(res.headers['content-length']);
    total = Number.isFinite(length) && length >= 0 && res.headers['content-length'] !== undefined ? length : undefined;
  }

  let received = 0;
  onBytes(start, total);
  const failure = await streamToPart(res, part, start > 0, (n) => {
    received += n;
    onBytes(start + received, total);
  });
  if (failure) {
    countPartial(received);
    if (failure.disk) throw diskError(`write ${part}`, failure.error);
    if (opts.signal?.aborted) throw new ModelDownloadError('aborted', 'download cancelled; run the command again to resume');
    throw new ModelDownloadError('network', `connection dropped while downloading ${file.path} after ${start + received} bytes`);
  }
  if (total !== undefined && start + received !== total) {
    countPartial(received);
    throw new ModelDownloadError('network', `download of ${file.path} ended early (${start + received} of ${total} bytes)`);
  }
  return received;
}

/**
 * Copies a response into the .part. Not stream.pipeline: when the connection drops, pipeline destroys
 * the file stream and throws away bytes it had not written yet, and those bytes are the point of a
 * resume. Here a failed response still ends the file stream normally, so everything received is kept.
 */
function streamToPart(res: http.IncomingMessage, part: string, append: boolean, onChunk: (n: number) => void): Promise<{ error: unknown; disk: boolean } | undefined> {
  return new Promise((resolve) => {
    const out = createWriteStream(part, { flags: append ? 'a' : 'w' });
    let failure: { error: unknown; disk: boolean } | undefined;
    const sourceFailed = (error: unknown): void => {
      if (failure) return;
      failure = { error, disk: false };
      out.end();
    };
    res.on('data', (chunk: Buffer) => {
      onChunk(chunk.length);
      if (!out.write(chunk)) {
        res.pause();
        out.once('drain', () => res.resume());
      }
    });
    res.on('end', () => out.end());
    res.on('error', sourceFailed);
    res.on('close', () => {
      if (!res.complete) sourceFailed(new Error('connection closed before the response was complete'));
    });
    out.on('error', (error) => {
      failure = { error, disk: true };
      res.destroy();
    });
    out.on('close', () => resolve(failure));
  });
}

function parseContentRange(value: string | undefined): { start: number | undefined; total: number | undefined } | undefined {
  if (!value) return undefined;
  const m = /^bytes\s+(?:(\d+)-(\d+)|\*)\/(\d+|\*)$/i.exec(value.trim());
  if (!m) return undefined;
  return {
    start: m[1] !== undefined ? Number(m[1]) : undefined,
    total: m[3] !== undefined && m[3] !== '*' ? Number(m[3]) : undefined,
  };
}

// ---------------------------------------------------------------------------------------------------
// Verification and install

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

async function verifyPart(entry: ManifestEntry, file: ResolvedFile, part: string, recorded: DownloadRecord | undefined): Promise<PulledFile> {
  const size = statSync(part).size;
  const sha256 = await sha256File(part);
  const previous = recorded?.files.find((f) => f.path === file.path);
  const expected = file.sha256 ?? previous?.sha256;
  const against: PulledFile['verifiedAgainst'] = file.sha256 ? 'manifest' : previous ? 'record' : 'first download';
  const wrongSize = file.size !== undefined && size !== file.size;
  if ((expected && sha256 !== expected) || wrongSize) {
    await fsp.rm(part, { force: true });
    const from = against === 'manifest' ? 'the manifest' : `the first download (${recorded?.installedAt ?? 'earlier'}); the file changed upstream`;
    const what = wrongSize ? `its size is ${size} bytes, expected ${file.size}` : `its sha256 is ${sha256}, expected ${expected} from ${from}`;
    throw new ModelDownloadError('integrity', `refusing ${file.path} of ${entry.id} from ${file.url}: ${what}; the download was deleted and nothing was installed`);
  }
  return { path: file.path, url: file.url, size, sha256, verifiedAgainst: against };
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Staging folder, merged config, record, then a rename into place. Returns whether an old install was replaced. */
async function install(entry: ManifestEntry, pulled: PulledFile[], partialDir: string, cacheDir: string, finalDir: string): Promise<boolean> {
  const dirName = path.basename(finalDir);
  const staging = await disk(`create a staging folder in ${cacheDir}`, () => fsp.mkdtemp(path.join(cacheDir, `.install-${dirName}-`)));
  try {
    for (const f of pulled) {
      const dest = path.join(staging, f.path);
      await disk(`create ${path.dirname(dest)}`, () => fsp.mkdir(path.dirname(dest), { recursive: true }));
      // Same file system (both under cacheDir), so this is a rename, not a copy.
      await disk(`move ${f.path} into ${staging}`, () => fsp.rename(path.join(partialDir, `${f.path}.part`), dest));
    }

    const configPath = path.join(staging, 'config.json');
    let config: unknown;
    try {
      config = JSON.parse(await fsp.readFile(configPath, 'utf8')) as unknown;
    } catch (e) {
      throw new ModelDownloadError('integrity', `config.json of ${entry.id} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!isRecord(config)) throw new ModelDownloadError('integrity', `config.json of ${entry.id} is not a JSON object`);
    const merged = `${JSON.stringify({ ...config, ...atlasConfigKeys(entry) }, null, 2)}\n`;
    await disk(`write ${configPath}`, () => fsp.writeFile(configPath, merged));

    const record: DownloadRecord = {
      version: 1,
      id: entry.id,
      repo: entry.source?.repo ?? '',
      revision: entry.source?.revision ?? '',
      installedAt: new Date().toISOString(),
      files: pulled.map((f) => ({
        path: f.path,
        url: f.url,
        size: f.size,
        sha256: f.sha256,
        ...(f.path === 'config.json' ? { installedSha256: createHash('sha256').update(merged).digest('hex') } : {}),
      })),
    };
    await disk(`write ${DOWNLOAD_RECORD}`, () => fsp.writeFile(path.join(staging, DOWNLOAD_RECORD), `${JSON.stringify(record, null, 2)}\n`));

    // rename() cannot replace a non-empty folder, so the old install steps aside first and comes
    // back if the new one cannot move in. The gap between the two renames is microseconds.
    if (existsSync(finalDir)) {
      const old = path.join(cacheDir, `.old-${dirName}-${randomBytes(4).toString('hex')}`);
      await disk(`move the old ${dirName} aside`, () => fsp.rename(finalDir, old));
      try {
        await fsp.rename(staging, finalDir);
      } catch (e) {
        await fsp.rename(old, finalDir).catch(() => undefined);
        throw diskError(`install ${finalDir}`, e);
      }
      await fsp.rm(old, { recursive: true, force: true });
      return true;
    }
    await disk(`install ${finalDir}`, () => fsp.rename(staging, finalDir));
    return false;
  } catch (e) {
    await fsp.rm(staging, { recursive: true, force: true });
    throw e;
  }
}

function diskError(action: string, e: unknown): ModelDownloadError {
  const code = errorCode(e);
  const reason: Record<string, string> = {
    ENOSPC: 'no space left on the device',
    EDQUOT: 'disk quota exceeded',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
  };
  const why = (code && reason[code]) ?? (e instanceof Error ? e.message : String(e));
  return new ModelDownloadError('disk', `cannot ${action}: ${why}${code ? ` (${code})` : ''}`);
}

async function disk<T>(action: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ModelDownloadError) throw e;
    throw diskError(action, e);
  }
}

/** Bytes of another revision must not be resumed into this one; they would only fail verification. */
async function forgetPartsOfOtherRevisions(partialDir: string, source: string): Promise<void> {
  const marker = path.join(partialDir, 'source.txt');
  const had = await fsp.readFile(marker, 'utf8').catch(() => undefined);
  if (had !== undefined && had !== source) {
    await disk(`clear ${partialDir}`, () => fsp.rm(partialDir, { recursive: true, force: true }));
    await disk(`create ${partialDir}`, () => fsp.mkdir(partialDir, { recursive: true }));
  }
  await disk(`write ${marker}`, () => fsp.writeFile(marker, source));
}

/**
 * Staging folders and parked old installs that a killed pull left behind. Safe to delete while we hold
 * this model's lock; the exact suffix shapes keep another model whose id merely starts the same apart.
 */
async function removeLeftovers(cacheDir: string, dirName: string): Promise<void> {
  const escaped = dirName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const leftover = new RegExp(`^(?:\\.install-${escaped}-[A-Za-z0-9]{6}|\\.old-${escaped}-[0-9a-f]{8})$`);
  const names = await fsp.readdir(cacheDir).catch(() => [] as string[]);
  for (const name of names.filter((n) => leftover.test(n))) await fsp.rm(path.join(cacheDir, name), { recursive: true, force: true });
}

/**
 * One pull per model at a time: two writers would interleave bytes in the same .part files. The same
 * file lock as the index's (../node/fileLock.ts), so a lock is created whole, a dead process's lock is
 * removed by one process alone, and a second pull of the model in this process is refused too.
 */
function acquireLock(lockFile: string, id: string): () => void {
  try {
    return acquireFileLock(lockFile, (why) => {
      switch (why.reason) {
        case 'held-elsewhere':
          return new ModelDownloadError('busy', `another download of ${id} is running (process ${why.owner.pid}); wait for it or stop it first`);
        case 'held-here':
          return new ModelDownloadError('busy', `a download of ${id} is already running; wait for it to finish`);
        case 'contended':
          return new ModelDownloadError('busy', `cannot lock ${lockFile}`);
      }
    });
  } catch (e) {
    throw e instanceof ModelDownloadError ? e : diskError(`create ${lockFile}`, e);
  }
}

// ---------------------------------------------------------------------------------------------------
// Listing and verification of what is on disk (no network)

export type ModelStatus = 'bundled' | 'installed' | 'not installed';

export interface ModelListing {
  id: string;
  task: ModelTask;
  status: ModelStatus;
  dims: number;
  maxTokens: number;
  pooling: 'mean' | 'cls' | undefined;
  licence: string;
  description: string | undefined;
  /** Folder the model loads from, when it is on disk. */
  dir: string | undefined;
  sizeBytes: number | undefined;
  repo: string | undefined;
  revision: string | undefined;
  /**
   * How a download is checked: `pinned` (every file has a sha256 in the manifest), `partly pinned`,
   * `first use` (no published sha256: the first download is trusted and recorded, later ones must
   * match it), or `bundled` (ships with Paper Atlas, never downloaded).
   */
  checksums: ModelChecksums;
  /** Files without a sha256 in the manifest. */
  unpinnedFiles: number;
  /** The revision is a branch (e.g. main), not a commit: upstream can change what is downloaded. */
  followsBranch: boolean;
}

export type ModelChecksums = 'bundled' | 'pinned' | 'partly pinned' | 'first use';

function checksumsOf(m: ManifestEntry): { checksums: ModelChecksums; unpinnedFiles: number; followsBranch: boolean } {
  if (m.bundled) return { checksums: 'bundled', unpinnedFiles: 0, followsBranch: false };
  const unpinnedFiles = m.files.filter((f) => !f.sha256).length;
  const checksums = unpinnedFiles === 0 ? 'pinned' : unpinnedFiles === m.files.length ? 'first use' : 'partly pinned';
  return { checksums, unpinnedFiles, followsBranch: m.source !== undefined && !/^[0-9a-f]{40}$/.test(m.source.revision) };
}

/**
 * The one sentence that tells the user, where they choose a model, that a download is trusted on first
 * use; undefined when every file is pinned (or the model is bundled).
 */
export function trustOnFirstUseNote(m: Pick<ModelListing, 'checksums' | 'unpinnedFiles' | 'followsBranch'>): string | undefined {
  if (m.checksums === 'bundled' || m.checksums === 'pinned') return undefined;
  const which = m.checksums === 'first use' ? 'its files have' : `${m.unpinnedFiles} of its files have`;
  const branch = m.followsBranch ? ' It follows a branch, not a fixed commit, so upstream can change it.' : '';
  return `No published checksum: ${which} no sha256 in the manifest, so the first download is trusted as it is (its hashes are recorded then, and later downloads must match them).${branch}`;
}

function folderSize(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += folderSize(p);
    else if (e.isFile()) total += statSync(p).size;
  }
  return total;
}

export function modelStatus(entry: ManifestEntry, cacheDir: string = modelCacheDir()): { status: ModelStatus; dir: string | undefined } {
  if (entry.bundled) {
    const dir = path.join(packageRoot(), 'models', entry.id);
    return { status: 'bundled', dir: existsSync(dir) ? dir : undefined };
  }
  const dir = installedModelDir(entry.id, cacheDir);
  return existsSync(path.join(dir, 'config.json')) ? { status: 'installed', dir } : { status: 'not installed', dir: undefined };
}

export function listModels(opts: { cacheDir?: string; manifest?: Manifest } = {}): ModelListing[] {
  const manifest = opts.manifest ?? loadManifest();
  return manifest.models.map((m) => {
    const { status, dir } = modelStatus(m, opts.cacheDir);
    return {
      id: m.id,
      task: m.task,
      status,
      dims: m.dims,
      maxTokens: m.maxTokens,
      pooling: m.pooling,
      licence: m.licence,
      description: m.description,
      dir,
      sizeBytes: dir ? folderSize(dir) : undefined,
      repo: m.source?.repo,
      revision: m.source?.revision,
      ...checksumsOf(m),
    };
  });
}

/** Re-hashes an installed model against its download record; problems are one line each. */
export async function verifyInstalledModel(id: string, opts: { cacheDir?: string } = {}): Promise<{ ok: boolean; problems: string[] }> {
  const dir = installedModelDir(id, opts.cacheDir);
  const record = readDownloadRecord(dir);
  if (!record) return { ok: false, problems: [`${dir} has no readable ${DOWNLOAD_RECORD}; pull the model again`] };
  const problems: string[] = [];
  for (const f of record.files) {
    const file = path.join(dir, f.path);
    if (!existsSync(file)) {
      problems.push(`${f.path} is missing`);
      continue;
    }
    const sha = await sha256File(file);
    const expected = f.installedSha256 ?? f.sha256;
    if (sha !== expected) problems.push(`${f.path} has sha256 ${sha}, expected ${expected}`);
  }
  return { ok: problems.length === 0, problems };
}
