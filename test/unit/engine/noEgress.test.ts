/**
 * No egress from the engine (issue #7 item 5): indexing, search, related, keywords, clusters and the
 * map open no network connection and look up no host name.
 *
 * Each command runs as a CLI child with a preload (NODE_OPTIONS=--require) that Node also runs in
 * every worker thread — the engine worker and the topic-map worker have their own module instances,
 * so patching this process's `net` would not reach them. In each thread the preload records calls
 * of net.Socket#connect, tls.connect, dns lookups/resolves, dgram sockets, and the
 * 'net.client.socket' / 'undici:request:create' diagnostics channels (which are per thread too).
 * Native code (onnxruntime, LanceDB) does not go through those, so on Linux the test also samples
 * the child's open file descriptors every 20 ms for TCP/UDP sockets. A control run, a worker thread
 * that connects to a local server, shows that both watchers see a connection when there is one.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../../../src/engine/packageRoot';
import { childEnv, CLI, generatedBib } from './indexProbe';

const PRELOAD = `'use strict';
const { appendFileSync } = require('node:fs');
const { threadId } = require('node:worker_threads');
const logFile = process.env.ATLAS_EGRESS_LOG;
const record = (kind, detail) => {
  try { appendFileSync(logFile, JSON.stringify({ kind, detail: String(detail).slice(0, 200), thread: threadId }) + '\\n'); } catch {}
};
const wrap = (target, name, kind, describe) => {
  const original = target[name];
  if (typeof original !== 'function') return;
  target[name] = function (...args) { record(kind, describe(args)); return original.apply(this, args); };
};
const describeTarget = (args) => { const a = args[0]; return a && typeof a === 'object' ? (a.path || (a.host || '') + ':' + (a.port || '')) : args.slice(0, 2).join(':'); };
const net = require('node:net');
wrap(net.Socket.prototype, 'connect', 'net.connect', describeTarget);
wrap(require('node:tls'), 'connect', 'tls.connect', describeTarget);
const dns = require('node:dns');
for (const fn of ['lookup', 'lookupService', 'resolve', 'resolve4', 'resolve6', 'resolveAny']) {
  wrap(dns, fn, 'dns.' + fn, (args) => args[0]);
  wrap(dns.promises, fn, 'dns.promises.' + fn, (args) => args[0]);
}
wrap(require('node:dgram'), 'createSocket', 'dgram.createSocket', (args) => JSON.stringify(args[0]));
const dc = require('node:diagnostics_channel');
dc.subscribe('net.client.socket', ({ socket }) => record('channel net.client.socket', socket && (socket.remoteAddress || socket._pendingData || '')));
dc.subscribe('undici:request:create', ({ request }) => record('channel undici:request:create', request && request.origin + request.path));
record('preload', 'loaded');
`;

interface Watched {
  code: number | null;
  stderr: string;
  /** What the preload recorded, minus its own 'loaded' lines. */
  events: { kind: string; detail: string; thread: number }[];
  /** Threads the preload ran in. */
  threads: number;
  /** TCP/UDP sockets seen among the child's file descriptors. */
  inetSockets: string[];
}

/** Socket inodes of TCP/UDP (v4 and v6) endpoints in this network namespace. */
function inetInodes(): Set<string> {
  const inodes = new Set<string>();
  for (const table of ['tcp', 'tcp6', 'udp', 'udp6']) {
    let text = '';
    try {
      text = readFileSync(`/proc/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const inode = line.trim().split(/\s+/)[9];
      if (inode && inode !== '0') inodes.add(inode);
    }
  }
  return inodes;
}

function socketInodesOf(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        return m?.[1] ? [m[1]] : [];
      } catch {
        return []; // closed while we looked
      }
    });
  } catch {
    return []; // the process has ended
  }
}

const canSample = process.platform === 'linux' && existsSync('/proc/net/tcp');
let work: string;
let run = 0;

/** Runs `node <script> <args>` with the preload in every thread and the socket sampler. */
async function watch(script: string, args: readonly string[]): Promise<Watched> {
  const log = path.join(work, `egress-${++run}.jsonl`);
  writeFileSync(log, '');
  const preload = path.join(work, 'egress-preload.js');
  const env = childEnv({ ATLAS_EGRESS_LOG: log, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${JSON.stringify(preload)}`.trim() });
  const child = spawn(process.execPath, [script, ...args], { env, cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stdout.resume();
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const seen = new Set<string>();
  const sampler = canSample
    ? setInterval(() => {
        if (child.pid === undefined) return;
        const mine = socketInodesOf(child.pid);
        if (mine.length === 0) return;
        const inet = inetInodes();
        for (const inode of mine) if (inet.has(inode)) seen.add(inode);
      }, 20)
    : undefined;
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  clearInterval(sampler);
  const lines = readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { kind: string; detail: string; thread: number });
  return {
    code,
    stderr,
    events: lines.filter((l) => l.kind !== 'preload'),
    threads: new Set(lines.filter((l) => l.kind === 'preload').map((l) => l.thread)).size,
    inetSockets: [...seen],
  };
}

before(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'atlas-egress-'));
  writeFileSync(path.join(work, 'egress-preload.js'), PRELOAD);
  cpSync(path.join(packageRoot(), 'test', 'fixtures', 'library'), path.join(work, 'library'), { recursive: true });
  writeFileSync(path.join(work, 'library', 'generated.bib'), generatedBib('gen', 200));
});
after(() => rmSync(work, { recursive: true, force: true }));

test('control: the watchers see a connection made from a worker thread', async () => {
  const server = net.createServer((socket) => socket.on('error', () => undefined));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const script = path.join(work, 'control.js');
  writeFileSync(
    script,
    `const { Worker } = require('node:worker_threads');
new Worker("const s = require('node:net').connect(${port}, '127.0.0.1'); s.on('error', () => {}); setTimeout(() => s.destroy(), 400);", { eval: true });`,
  );
  try {
    const control = await watch(script, []);
    assert.equal(control.code, 0, control.stderr);
    assert.ok(control.events.some((e) => e.kind === 'net.connect' && e.thread > 0), `the preload ran in the worker: ${JSON.stringify(control.events)}`);
    assert.ok(control.events.some((e) => e.kind === 'channel net.client.socket'), JSON.stringify(control.events));
    if (canSample) assert.ok(control.inetSockets.length > 0, 'the fd sampler saw the TCP socket');
  } finally {
    server.close();
  }
});

test('indexing, search, related, keywords, clusters and the map open no socket and resolve no host', async () => {
  const db = path.join(work, 'db');
  const commands: [string, string[]][] = [
    ['index', ['index', path.join(work, 'library'), '--db', db]],
    ['search', ['search', 'gravitational waves from black holes', '--db', db]],
    ['search (full text)', ['search', 'segmentation', '--mode', 'fts', '--db', db]],
    ['related', ['related', 'kirillov2023segment', '--db', db]],
    ['keywords', ['keywords', 'kirillov2023segment', '--db', db]],
    ['keywords (text)', ['keywords', '--text', 'sparse attention for protein folding', '--db', db]],
    ['clusters', ['clusters', '--db', db]],
    ['map', ['map', '--db', db, '--json']],
    ['info', ['info', '--db', db]],
  ];
  const figures: string[] = [];
  for (const [name, args] of commands) {
    const result = await watch(CLI, args);
    assert.equal(result.code, 0, `${name}: ${result.stderr}`);
    // The engine worker at least (clusters and map add the topic-map worker): the preload reached it.
    assert.ok(result.threads >= 2, `${name}: the preload ran in ${result.threads} thread(s)`);
    assert.deepEqual(result.events, [], `${name} reached for the network`);
    assert.deepEqual(result.inetSockets, [], `${name} held a TCP/UDP socket`);
    figures.push(`${name} ${result.events.length + result.inetSockets.length} (${result.threads} threads)`);
  }
  console.log(`sockets opened / host lookups by the engine${canSample ? ' (JS hooks in every thread + fd sampling)' : ' (JS hooks in every thread)'}: ${figures.join(', ')}`);
});
