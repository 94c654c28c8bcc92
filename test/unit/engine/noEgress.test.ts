/**
 * No egress from the engine (issue #7 item 5, issue #11 item 1), the short form: each CLI command
 * (index, search, related, keywords, clusters, map, info) runs under strace, which sees every thread
 * and every native library, and may not look up a host, connect anywhere, open an internet socket,
 * read the machine id, or write a file outside its index folder. onnxruntime-node's telemetry did all
 * of that except the upload within a second of loading (device id and event queue under ~/.cache,
 * /tmp/mat-debug-<pid>.log, /etc/machine-id), so these short runs catch it; its DNS lookup comes ~10 s
 * after start, which test/soak/longSessionEgress.soak.ts waits for.
 *
 * The child runs with a fresh HOME and without the variables that make onnxruntime switch telemetry
 * off by itself (CI=true on a CI runner would), so only our switch can keep it quiet. Skipped, with
 * the reason, where strace is not installed or ptrace is not allowed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { fork } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createMessageConnection, IPCMessageReader, IPCMessageWriter } from 'vscode-jsonrpc/node';
import { ENGINE_PROCESS_ARG } from '../../../src/engine/client/engineEnvironment';
import { IndexPaths, OpenEngine, SearchPapers, Shutdown } from '../../../src/shared/engineProtocol';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../../../src/engine/node/packageRoot';
import { childEnv, CLI, generatedBib } from './indexProbe';
import { egressEvents, egressFigures, straceUnavailable, traceSyscalls, userLikeEnv } from './syscallWatch';

const skip = straceUnavailable();
let work: string;

before(() => {
  if (skip) return;
  work = mkdtempSync(path.join(os.tmpdir(), 'atlas-egress-'));
  cpSync(path.join(packageRoot(), 'test', 'fixtures', 'library'), path.join(work, 'library'), { recursive: true });
  writeFileSync(path.join(work, 'library', 'generated.bib'), generatedBib('gen', 200));
});
after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function freshHome(name: string): string {
  const home = path.join(work, 'home', name);
  mkdirSync(home, { recursive: true });
  return home;
}

test('an engine process started without the switch in its environment switches telemetry off itself', async () => {
  // What a host that forked dist/engine.js without EngineClient would get. The engine sets the switch on
  // its own main thread before onnxruntime loads (onnxRuntime.ts imports onnxTelemetry.ts first), so
  // onnxruntime writes no device id or event queue under the fresh HOME and no /tmp/mat-debug-<pid>.log.
  const home = mkdtempSync(path.join(os.tmpdir(), 'atlas-egress-home-'));
  const env = userLikeEnv({ ...process.env }, home);
  delete env.ORT_DISABLE_TELEMETRY;
  const child = fork(path.join(packageRoot(), 'dist', 'engine.js'), [ENGINE_PROCESS_ARG], { env, execArgv: [], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const connection = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
  connection.listen();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const dbDir = path.join(home, 'db');
    const library = path.join(home, 'library');
    cpSync(path.join(packageRoot(), 'test', 'fixtures', 'library'), library, { recursive: true });
    await connection.sendRequest(OpenEngine, { dbDir, model: 'atlas-mini-encoder', providers: ['cpu'], threads: 2, batchSize: 16 });
    await connection.sendRequest(IndexPaths, { paths: [library] });
    assert.ok((await connection.sendRequest(SearchPapers, { query: 'image segmentation', k: 1 })).length === 1);
    // The telemetry wrote its files within a second of loading; give it two.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    assert.ok(!existsSync(path.join(home, '.cache', 'Microsoft')), 'no onnxruntime device id or event queue under HOME');
    assert.ok(!existsSync(`/tmp/mat-debug-${child.pid}.log`), 'no onnxruntime debug log');
    await connection.sendRequest(Shutdown).catch(() => undefined);
    await exited;
  } finally {
    child.kill('SIGKILL');
    connection.dispose();
    rmSync(home, { recursive: true, force: true });
  }
});

test('control: the watcher sees a lookup, a connect, an internet socket, a write and a machine-id read from a worker thread', { skip }, async () => {
  const server = net.createServer((socket) => socket.on('error', () => undefined));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const home = freshHome('control');
  const allowed = path.join(work, 'allowed');
  mkdirSync(allowed, { recursive: true });
  const script = path.join(work, 'control.js');
  writeFileSync(
    script,
    `const { Worker } = require('node:worker_threads');
new Worker(\`
const fs = require('node:fs');
fs.writeFileSync(${JSON.stringify(path.join(allowed, 'ok.txt'))}, 'inside');
fs.writeFileSync(${JSON.stringify(path.join(home, 'outside.txt'))}, 'outside');
try { fs.readFileSync('/etc/machine-id'); } catch {}
require('node:dns').lookup('localhost', () => {
  const s = require('node:net').connect(${port}, '127.0.0.1');
  s.on('error', () => {});
  s.on('connect', () => s.destroy());
});\`, { eval: true });`,
  );
  try {
    const { done } = traceSyscalls(process.execPath, [script], { cwd: work, env: userLikeEnv(childEnv(), home), allowedWrites: [allowed], timeoutMs: 60_000 });
    const r = await done;
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.egress.dnsLookups.length > 0, `the lookup of localhost is seen: ${egressEvents(r.egress).join('\n')}`);
    assert.ok(r.egress.connects.some((c) => c.includes(`htons(${port})`)), `the TCP connect is seen: ${r.egress.connects.join('\n')}`);
    assert.ok(r.egress.inetSockets.length > 0, 'the internet socket is seen');
    assert.deepEqual(r.egress.writesOutside.length, 1, `only the write outside the allowed folder counts: ${r.egress.writesOutside.join('\n')}`);
    assert.match(r.egress.writesOutside[0] ?? '', /outside\.txt/);
    // /etc/machine-id exists on most Linux systems; where it does not, the attempt is still seen.
    assert.ok(r.egress.machineIdReads.length > 0, 'the machine-id read is seen');
  } finally {
    server.close();
  }
});

test('index, search, related, keywords, clusters, map and info: no lookup, connect, socket, machine id or write outside the index', { skip }, async () => {
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
  const reached: string[] = [];
  for (const [name, args] of commands) {
    const home = freshHome(name.replace(/\W+/g, '-'));
    const { done } = traceSyscalls(process.execPath, [CLI, ...args], { cwd: work, env: userLikeEnv(childEnv(), home), allowedWrites: [db], timeoutMs: 240_000 });
    const r = await done;
    assert.equal(r.code, 0, `${name}: ${r.stderr}`);
    // The CLI, the engine process and libuv/onnxruntime/LanceDB threads: strace followed them.
    assert.ok(r.tasks >= 3, `${name}: strace followed ${r.tasks} task(s)`);
    reached.push(...egressEvents(r.egress).map((e) => `${name}: ${e}`));
    figures.push(`${name}: ${egressFigures(r.egress)} (${r.tasks} threads)`);
  }
  // Every command runs before the verdict, so the figures cover all of them either way.
  console.log(`egress per command (strace -ff, every thread):\n  ${figures.join('\n  ')}`);
  assert.deepEqual(reached, [], 'the engine reached outside its index folder');
});
