/**
 * A stand-in for the Hugging Face hub on 127.0.0.1: `/<repo>/resolve/<rev>/<path>` answers 302 to a
 * relative `/cdn/<sha256>`, which serves the bytes with Range support, like the real hub and its CDN.
 * Every request is logged so tests can check what was asked for (Range headers in particular).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface HubRequest {
  path: string;
  range: string | undefined;
  status: number;
}

export interface FakeHub {
  url: string;
  log: HubRequest[];
  /** Replace what `<repo>/<rev>/<file>` serves (a tampered or updated upstream file). */
  setFile(repo: string, revision: string, file: string, bytes: Buffer): void;
  /** The next response for this file sends half the body, then drops the connection. */
  cutNextResponse(repo: string, revision: string, file: string): void;
  cdnPath(repo: string, revision: string, file: string): string;
  close(): Promise<void>;
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** All files under `dir`, keyed by forward-slash relative path. */
export function readFolder(dir: string, prefix = ''): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    const rel = prefix ? `${prefix}/${name}` : name;
    if (statSync(full).isDirectory()) for (const [k, b] of readFolder(full, rel)) files.set(k, b);
    else files.set(rel, readFileSync(full));
  }
  return files;
}

export async function startFakeHub(repos: { repo: string; revision: string; files: Map<string, Buffer> }[]): Promise<FakeHub> {
  const files = new Map<string, Buffer>();
  const key = (repo: string, revision: string, file: string): string => `${repo}/resolve/${revision}/${file}`;
  for (const r of repos) for (const [file, bytes] of r.files) files.set(key(r.repo, r.revision, file), bytes);
  const blobs = new Map<string, Buffer>();
  const cutOnce = new Set<string>();
  const log: HubRequest[] = [];

  const server = http.createServer((req, res) => {
    const url = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
    const range = typeof req.headers.range === 'string' ? req.headers.range : undefined;
    const answer = (status: number, headers: Record<string, string | number> = {}, body?: Buffer): void => {
      log.push({ path: url, range, status });
      res.writeHead(status, headers);
      res.end(body);
    };
    if (url.startsWith('/cdn/')) {
      const hash = url.slice('/cdn/'.length);
      const blob = blobs.get(hash);
      if (!blob) return answer(404);
      let start = 0;
      let status = 200;
      if (range) {
        const m = /^bytes=(\d+)-$/.exec(range);
        if (!m) return answer(400);
        start = Number(m[1]);
        if (start >= blob.length) return answer(416, { 'content-range': `bytes */${blob.length}` });
        status = 206;
      }
      const body = blob.subarray(start);
      const headers: Record<string, string | number> = { 'content-length': body.length, 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream' };
      if (status === 206) headers['content-range'] = `bytes ${start}-${blob.length - 1}/${blob.length}`;
      if (cutOnce.delete(hash)) {
        log.push({ path: url, range, status });
        res.writeHead(status, headers);
        // Flush half the body, then drop the connection, like a network that goes away mid-transfer.
        res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
        return;
      }
      return answer(status, headers, body);
    }
    const m = /^\/(.+?\/.+?)\/resolve\/([^/]+)\/(.+)$/.exec(url);
    const bytes = m ? files.get(key(m[1] ?? '', m[2] ?? '', m[3] ?? '')) : undefined;
    if (!bytes) return answer(404, { 'content-type': 'text/plain' }, Buffer.from('Entry not found'));
    const hash = sha256(bytes);
    blobs.set(hash, bytes);
    // Relative Location, as the downloader must resolve it against the URL that sent it.
    return answer(302, { location: `/cdn/${hash}` });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    log,
    setFile: (repo, revision, file, bytes) => files.set(key(repo, revision, file), bytes),
    cutNextResponse: (repo, revision, file) => {
      const bytes = files.get(key(repo, revision, file));
      if (!bytes) throw new Error(`fake hub has no ${file}`);
      const hash = sha256(bytes);
      blobs.set(hash, bytes);
      cutOnce.add(hash);
    },
    cdnPath: (repo, revision, file) => `/cdn/${sha256(files.get(key(repo, revision, file)) ?? Buffer.alloc(0))}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function unusedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
