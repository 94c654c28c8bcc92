/**
 * Native failure containment, engine side (issue #7 item 4): a corrupt model file, a provider that
 * cannot load, and an engine process that dies with a request in flight each reach the caller as a
 * clear one-line error — no hang, no crash of the calling process — and a new engine starts after.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { EngineClient, EngineStoppedError } from '../../../src/engine/client/engineClient';
import { loadModelSettings } from '../../../src/engine/models/modelFolder';
import { packageRoot } from '../../../src/engine/node/packageRoot';
import { readIndex } from './indexProbe';

let work: string;
const library = (): string => path.join(work, 'library');
const options = (dbDir: string, model = 'atlas-mini-encoder'): Parameters<EngineClient['open']>[0] => ({
  dbDir,
  model,
  providers: ['cpu'],
  threads: 2,
  batchSize: 16,
});

/** A copy of a bundled model whose ONNX file is replaced by random bytes (a torn download, a bad disk). */
function corruptCopy(id: string): string {
  const dir = path.join(work, `${id}-corrupt`);
  cpSync(path.join(packageRoot(), 'models', id), dir, { recursive: true, filter: (f) => !f.endsWith('_fp32.onnx') });
  writeFileSync(loadModelSettings(dir).onnxPath, randomBytes(64 * 1024));
  return dir;
}

/** Rejects when `promise` has not settled in `ms`: a hang fails the test instead of stalling it. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

before(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'atlas-failures-'));
  cpSync(path.join(packageRoot(), 'test', 'fixtures', 'library'), library(), { recursive: true });
});

after(() => rmSync(work, { recursive: true, force: true }));

test('a corrupt encoder file is a one-line open error; the same engine then opens a good model', async () => {
  const engine = EngineClient.start();
  try {
    const bad = corruptCopy('atlas-mini-encoder');
    const error = await within(engine.open(options(path.join(work, 'db-corrupt'), bad)).then(() => undefined, (e: unknown) => e), 60_000, 'open');
    assert.ok(error instanceof Error, 'open of a corrupt model rejects');
    console.log(`corrupt model: ${error.message}`);
    assert.match(error.message, /atlas-mini-encoder-corrupt/, 'names the model');
    assert.match(error.message, /cpu: /, 'says what the provider reported');
    assert.match(error.message, / \(the model file is damaged or not an ONNX model: download it again or choose another model\)$/, 'says what to do');
    assert.ok(!error.message.includes('\n'), 'one line');
    assert.ok(engine.alive);
    const info = await engine.open(options(path.join(work, 'db-corrupt')));
    assert.equal(info.model, 'atlas-mini-encoder');
  } finally {
    await engine.stop();
  }
});

test('asking for cuda alone falls back to CPU and reports why cuda did not load; cuda on a corrupt model names both failures', async () => {
  const engine = EngineClient.start();
  try {
    const info = await engine.open({ ...options(path.join(work, 'db-cuda')), providers: ['cuda'] });
    assert.equal(info.provider, 'cpu');
    const cuda = info.providerAttempts.find((a) => a.provider === 'cuda');
    assert.ok(cuda && !cuda.ok && /cuda|CUDA/.test(cuda.reason ?? ''), JSON.stringify(info.providerAttempts));
    const bad = corruptCopy('atlas-mini-encoder');
    await assert.rejects(engine.open({ ...options(path.join(work, 'db-cuda'), bad), providers: ['cuda', 'cpu'] }), (e: Error) => {
      assert.match(e.message, /cuda: .*; cpu: /);
      return true;
    });
    assert.ok(engine.alive);
  } finally {
    await engine.stop();
  }
});

test('a corrupt keyword model fails the keywords request only; search goes on', async () => {
  const engine = EngineClient.start();
  try {
    await engine.open({ ...options(path.join(work, 'db-mlm')), mlmModel: corruptCopy('atlas-mini-mlm') });
    await engine.index([library()]);
    const error = await within(engine.keywords({ text: 'image segmentation with masks', k: 3 }).then(() => undefined, (e: unknown) => e), 60_000, 'keywords');
    assert.ok(error instanceof Error, 'keywords with a corrupt model rejects');
    console.log(`corrupt keyword model: ${error.message}`);
    assert.ok(!error.message.includes('\n'));
    assert.ok(engine.alive);
    assert.equal((await engine.search({ query: 'image segmentation', k: 1 })).length, 1);
  } finally {
    await engine.stop();
  }
});

/**
 * An engine process that runs the real engine and ends itself mid-index. `exit`: process.exit(7) the
 * moment it reports embedding progress (between two ONNX runs). `throw` / `throw-in-write`: an
 * uncaught exception thrown just after an ONNX run / a LanceDB write started, so native work is in
 * flight when the error surfaces.
 */
function dyingEngine(how: 'exit' | 'throw' | 'throw-in-write'): string {
  const file = path.join(work, `dying-engine-${how}.js`);
  const engine = path.join(packageRoot(), 'dist', 'engine.js');
  const ort = require.resolve('onnxruntime-node', { paths: [packageRoot()] });
  // LanceDB's table class, by file: the package's exports map does not name it.
  const lanceTable = path.join(path.dirname(require.resolve('@lancedb/lancedb', { paths: [packageRoot()] })), 'table.js');
  writeFileSync(
    file,
    `let armed = false;
const send = process.send.bind(process);
process.send = (message, ...rest) => {
  const sent = send(message, ...rest);
  if (message && message.method === 'engine/indexProgress' && message.params && message.params.phase === 'embedding') {
    ${how === 'exit' ? 'process.exit(7);' : 'armed = true;'}
  }
  return sent;
};
// Throw right after the next native call starts: an ONNX run, or a LanceDB write.
const fail = (target, method) => {
  const original = target[method];
  target[method] = function (...args) {
    const result = original.apply(this, args);
    if (armed) {
      armed = false;
      setImmediate(() => { throw new Error('simulated failure inside the engine'); });
    }
    return result;
  };
};
${how === 'throw' ? `fail(require(${JSON.stringify(ort)}).InferenceSession.prototype, 'run');` : `fail(require(${JSON.stringify(lanceTable)}).LocalTable.prototype, 'add');`}
require(${JSON.stringify(engine)});
`,
  );
  return file;
}

/** 400 generated entries: enough that one batch of 256 keeps ONNX busy for a while. */
function bigLibrary(): string {
  const dir = path.join(work, 'big');
  mkdirSync(dir, { recursive: true });
  const words = ['graph', 'neural', 'network', 'protein', 'folding', 'language', 'model', 'vision', 'sparse', 'attention', 'quantum', 'circuit'];
  const entries = Array.from({ length: 400 }, (_, i) => {
    const text = Array.from({ length: 120 }, (_, j) => words[(i * 5 + j * 7) % words.length]).join(' ');
    return `@article{big${i},\n  title = {Study ${i} of ${words[i % words.length]} ${words[(i * 3) % words.length]}},\n  year = {2021},\n  abstract = {${text}.}\n}\n`;
  });
  writeFileSync(path.join(dir, 'big.bib'), entries.join('\n'));
  return dir;
}

test('an engine process that exits mid-index rejects the request with the reason; a new engine resumes the index', async () => {
  const dbDir = path.join(work, 'db-dying-exit');
  const crashes: string[] = [];
  const engine = EngineClient.start({ enginePath: dyingEngine('exit'), onCrash: (r) => crashes.push(r) });
  await engine.open(options(dbDir));
  const error = await within(engine.index([library()]).then(() => undefined, (e: unknown) => e), 30_000, 'index on a dying engine');
  assert.ok(error instanceof EngineStoppedError, `expected EngineStoppedError, got ${String(error)}`);
  console.log(`dead engine (exit): ${error.message}`);
  assert.equal(error.message, 'index failed: the engine stopped unexpectedly (exit code 7)');
  assert.equal(engine.alive, false);
  assert.ok(crashes.length > 0, 'onCrash was told');
  // Later requests fail at once instead of waiting on a dead process; stop() returns.
  await within(assert.rejects(engine.search({ query: 'x', k: 1 }), (e: Error) => e instanceof EngineStoppedError && /^search: the engine stopped unexpectedly/.test(e.message)), 5_000, 'search on a dead engine');
  await within(engine.stop(), 5_000, 'stop of a dead engine');

  // The process is fine: a new engine opens the same folder (the dead one's lock is taken over) and indexes.
  const fresh = EngineClient.start();
  try {
    await fresh.open(options(dbDir));
    const summary = await fresh.index([library()]);
    assert.equal(summary.papers, 6);
    assert.equal((await fresh.search({ query: 'image segmentation masks dataset', k: 1 }))[0]?.id, 'kirillov2023segment');
  } finally {
    await fresh.stop();
  }
});

test('an uncaught error in the engine while ONNX runs: the request in flight settles, the engine ends with the reason', async () => {
  // The engine lets the running request finish before it ends (an index run stops at its next chunk,
  // sessions are released), so the request in flight completes or reports the internal error itself,
  // and the process then ends naming the error, which the caller's crash report quotes.
  for (const [round, how] of (['throw', 'throw-in-write'] as const).entries()) {
    const dbDir = path.join(work, `db-dying-throw-${round}`);
    const crashes: string[] = [];
    let ended: () => void = () => undefined;
    const exited = new Promise<void>((resolve) => (ended = resolve));
    const engine = EngineClient.start({
      enginePath: dyingEngine(how),
      onCrash: (r) => {
        crashes.push(r);
        ended();
      },
    });
    await engine.open({ ...options(dbDir), batchSize: 256 });
    const outcome = await within(engine.index([bigLibrary()]).then((s) => `indexed ${s.papers}`, (e: Error) => e.message), 60_000, 'index on a failing engine');
    assert.match(outcome, /^indexed 400$|^indexing stopped after an internal error of the engine \(simulated failure inside the engine\)/);
    await within(exited, 65_000, 'the failing engine ending');
    assert.equal(engine.alive, false);
    console.log(`dead engine (${how}): in-flight index -> ${outcome}; onCrash: ${crashes.join(' / ')}`);
    assert.ok(crashes.some((c) => c.includes('simulated failure inside the engine')), `onCrash names the error: ${crashes.join(' / ')}`);
    await assert.rejects(engine.info(), (e: Error) => e instanceof EngineStoppedError && /simulated failure inside the engine/.test(e.message));
    await engine.stop();
  }
  const fresh = EngineClient.start();
  try {
    const info = await fresh.open(options(path.join(work, 'db-dying-throw-0')));
    assert.ok(info.papers >= 0);
  } finally {
    await fresh.stop();
  }
});

for (const action of ['reopened', 'stopped'] as const) {
  test(`an engine ${action} while it indexes lets the running request finish first: no crash, nothing doubled`, async () => {
    const dbDir = path.join(work, `db-${action}-mid-index`);
    let embedding: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (embedding = resolve));
    const engine = EngineClient.start({ onProgress: (p) => p.phase === 'embedding' && embedding() });
    await engine.open({ ...options(dbDir), batchSize: 8 });
    const run = engine.index([bigLibrary()]).then(
      (s) => `indexed ${s.papers}`,
      (e: Error) => e.message,
    );
    await started;
    try {
      if (action === 'reopened') {
        // A settings change re-opens the engine: the old sessions must not be released under the run.
        const info = await within(engine.open({ ...options(dbDir), batchSize: 8 }), 60_000, 'reopen during indexing');
        const outcome = await run;
        console.log(`${action} mid-index: the run -> ${outcome}; reopened with ${info.papers} papers`);
        assert.match(outcome, /^indexed 400$|^indexing cancelled/);
        assert.ok(engine.alive);
        assert.equal((await engine.index([bigLibrary()])).papers, 400, 'the reopened engine resumes the index');
      } else {
        await within(engine.stop(), 60_000, 'stop during indexing');
        const outcome = await run;
        console.log(`${action} mid-index: the run -> ${outcome}`);
        assert.match(outcome, /^indexed 400$|^indexing cancelled|^index failed: the engine was stopped/);
      }
    } finally {
      await engine.stop();
    }
    const contents = await readIndex(dbDir);
    assert.deepEqual(contents.duplicates, []);
  });
}

test('an engine whose parent dies mid-index ends at once instead of indexing on as an orphan', async () => {
  // A parent killed outright (the extension host, the CLI): its engine must not live on holding the
  // index lock and the models' memory. The parent forks dist/engine.js as EngineClient does, opens it,
  // starts indexing 400 papers eight at a time, and is killed once embedding has begun.
  const { spawn } = await import('node:child_process');
  const engine = path.join(packageRoot(), 'dist', 'engine.js');
  const parentScript = `
const c = require('node:child_process').fork(${JSON.stringify(engine)}, ['--paper-atlas-engine'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
let told = false;
c.on('message', (m) => {
  if (m.id === 1) c.send({ jsonrpc: '2.0', id: 2, method: 'engine/index', params: { paths: [process.argv[1]] } });
  if (m.method === 'engine/indexProgress' && m.params.phase === 'embedding' && !told) { told = true; console.log(c.pid); }
});
c.send(JSON.parse(process.argv[2]));
`;
  const open = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'engine/open', params: { ...options(path.join(work, 'db-orphan')), batchSize: 8 } });
  const parent = spawn(process.execPath, ['-e', parentScript, bigLibrary(), open], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pid = await within(new Promise<number>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim())))), 60_000, 'the engine pid');
  const running = (): boolean => {
    try {
      process.kill(pid, 0);
    } catch {
      return false;
    }
    // An orphan that ended but was not reaped yet (no init in a container) is a zombie: not running.
    try {
      return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return process.platform !== 'linux';
    }
  };
  assert.ok(running(), 'the engine indexes while its parent runs');
  parent.kill('SIGKILL');
  const killed = Date.now();
  while (running() && Date.now() - killed < 10_000) await new Promise((r) => setTimeout(r, 50));
  const still = running();
  if (still) process.kill(pid, 'SIGKILL');
  assert.ok(!still, 'the orphaned engine ended within 10 s');
  console.log(`orphaned engine ended ${Date.now() - killed} ms after its parent was killed`);
});
