/**
 * "No egress" on the host side: the extension host code opens a network connection only when the
 * user asks for a model download. Checked twice: statically, over every module esbuild bundles into
 * dist/extension.js (which ones import a network module or call fetch/WebSocket), and at run time,
 * by activating the extension (fake vscode, a workspace without library files) and listing models
 * with every TCP connect of this process recorded.
 */
import { fake } from './fakeVscode';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { test } from 'node:test';
import type * as Esbuild from 'esbuild';
import type * as vscode from 'vscode';
import { listModels } from '../../../src/engine/models/modelDownloader';
import { packageRoot } from '../../../src/engine/node/packageRoot';
import { activate } from '../../../src/host/extension';

const NETWORK_MODULE = /^(node:)?(http|https|http2|net|tls|dgram|dns|dns\/promises|undici|ws)$/;
/** Modules that may import a network module, and why. */
const ALLOWED_NETWORK_IMPORTERS = new Map([
  ['src/engine/models/modelDownloader.ts', 'downloads a model the user picked in Download Model…'],
  ['node_modules/vscode-jsonrpc/lib/node/main.js', "imports net for its pipe/socket transports; the host talks to the engine over a worker's MessagePort"],
]);

async function bundleInputs(): Promise<Esbuild.Metafile['inputs']> {
  // Loaded at run time, not bundled into this test (esbuild's API finds its binary next to itself).
  const esbuild = createRequire(__filename)('esbuild') as typeof Esbuild;
  const result = await esbuild.build({
    absWorkingDir: packageRoot(),
    entryPoints: ['src/host/extension.ts'],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    metafile: true,
    outfile: 'extension.js',
    external: ['vscode', 'onnxruntime-node', '@lancedb/lancedb', 'apache-arrow', '@huggingface/transformers'],
    logLevel: 'silent',
  });
  // A git worktree whose node_modules links to another checkout names those inputs
  // '../../main/node_modules/…'; name them as a plain checkout does.
  return Object.fromEntries(Object.entries(result.metafile.inputs).map(([f, i]) => [f.replace(/^(\.\.\/)+(.*\/)?node_modules\//, 'node_modules/'), i]));
}

test('only the model downloader (and vscode-jsonrpc, unused transports) of the host bundle import a network module', async () => {
  const inputs = await bundleInputs();
  assert.ok(Object.keys(inputs).some((f) => f.startsWith('src/host/')), 'the bundle was analysed');
  const importers = Object.entries(inputs)
    .filter(([, i]) => i.imports.some((x) => NETWORK_MODULE.test(x.path)))
    .map(([f]) => f)
    .sort();
  assert.deepEqual(importers, [...ALLOWED_NETWORK_IMPORTERS.keys()].sort());
  // The downloader is reached only from the model commands.
  const downloaderUsers = Object.entries(inputs)
    .filter(([, i]) => i.imports.some((x) => x.path === 'src/engine/models/modelDownloader.ts'))
    .map(([f]) => f);
  assert.deepEqual(downloaderUsers, ['src/host/models/modelCommands.ts']);
  for (const file of Object.keys(inputs).filter((f) => !f.startsWith('node_modules/'))) {
    const text = readFileSync(`${packageRoot()}/${file}`, 'utf8');
    if (file === 'src/engine/models/modelDownloader.ts') continue;
    assert.doesNotMatch(text, /\bfetch\s*\(|\bWebSocket\b|\bXMLHttpRequest\b|\bEventSource\b/, file);
  }
});

test('in the model commands, a download starts only in downloadModel()', () => {
  const text = readFileSync(`${packageRoot()}/src/host/models/modelCommands.ts`, 'utf8');
  const start = text.indexOf('export async function downloadModel(');
  const end = text.indexOf('\nexport ', start + 1);
  assert.ok(start >= 0 && end > start, 'downloadModel() is found');
  const calls = [...text.matchAll(/\bpullModel\s*\(/g)].map((m) => m.index);
  assert.ok(calls.length > 0, 'pullModel is called');
  for (const at of calls) assert.ok(at > start && at < end, `pullModel( at ${at} is outside downloadModel()`);
});

test('activating the extension and listing models opens no connection', async () => {
  fake.reset();
  const connects: string[] = [];
  const original = net.Socket.prototype.connect;
  const originalFetch = globalThis.fetch;
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]): net.Socket {
    connects.push(JSON.stringify(args[0]) ?? String(args[0]));
    this.destroy();
    return this;
  } as typeof original;
  globalThis.fetch = ((input: unknown) => {
    connects.push(`fetch ${String(input)}`);
    return Promise.reject(new Error('no network in this test'));
  }) as typeof fetch;
  const subscriptions: { dispose(): unknown }[] = [];
  try {
    // The recorder works: a connection attempt is seen.
    net.connect(9, '127.0.0.1').on('error', () => undefined);
    assert.equal(connects.length, 1, 'the recorder sees a connect');
    connects.length = 0;

    const context = {
      subscriptions,
      workspaceState: { get: (_k: string, d: unknown) => d, update: () => Promise.resolve() },
      storageUri: { fsPath: '/nonexistent/paper-atlas-test' },
      globalStorageUri: { fsPath: '/nonexistent/paper-atlas-test' },
      extensionUri: { fsPath: packageRoot() },
    } as unknown as vscode.ExtensionContext;
    const api = activate(context);
    assert.ok(api, 'activate() returned the API');
    await new Promise((r) => setTimeout(r, 200)); // the startup indexing pass (no library files)
    assert.ok(listModels().length > 0);
    assert.deepEqual(connects, []);
  } finally {
    net.Socket.prototype.connect = original;
    globalThis.fetch = originalFetch;
    for (const d of subscriptions) d.dispose();
  }
});
