/**
 * scripts/vscode/install.mjs installs code-server with a child `npm`. Under `npm start` / `npm test` the
 * parent npm exports its configuration (npm_config_user_agent naming Node 20, npm_node_execpath, ...);
 * inherited, it made code-server's install script refuse ("requires node v24") on every fresh machine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../../../src/engine/node/packageRoot';

type ChildNpmEnv = (base: NodeJS.ProcessEnv, extra?: Record<string, string>) => Record<string, string>;

// Loaded at run time, as Node loads it under `npm start` (the script is plain ESM, not bundled into the test).
async function childNpmEnv(): Promise<ChildNpmEnv> {
  const url = pathToFileURL(path.join(packageRoot(), 'scripts', 'vscode', 'install.mjs')).href;
  return ((await import(url)) as { childNpmEnv: ChildNpmEnv }).childNpmEnv;
}

// What `npm run start` hands its script (npm 11, on Node 20), plus the user's own variables.
const underNpmRun: NodeJS.ProcessEnv = {
  PATH: '/usr/local/bin:/usr/bin',
  HOME: '/home/u',
  LANG: 'C.UTF-8',
  npm_config_user_agent: 'npm/11.19.1 node/v20.20.2 linux x64 workspaces/false',
  npm_node_execpath: '/usr/bin/node',
  npm_config_node_gyp: '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
  npm_config_global_prefix: '/usr',
  npm_lifecycle_event: 'start',
  npm_package_json: '/repo/package.json',
  npm_execpath: '/usr/lib/node_modules/npm/bin/npm-cli.js',
  NPM_CONFIG_PREFIX: '/opt/npm',
};

test('the child npm inherits no npm_* / npm_config_* variable, in any case', async () => {
  const env = (await childNpmEnv())(underNpmRun);
  assert.deepEqual(Object.keys(env).filter((k) => /^npm_/i.test(k)), []);
  assert.deepEqual(env, { PATH: '/usr/local/bin:/usr/bin', HOME: '/home/u', LANG: 'C.UTF-8' });
});

test('what the installer sets on purpose (Node 24 on PATH, its headers) survives', async () => {
  const env = (await childNpmEnv())(underNpmRun, { PATH: `/cache/node24/bin:${underNpmRun.PATH}`, npm_config_nodedir: '/cache/node24' });
  assert.equal(env.PATH, '/cache/node24/bin:/usr/local/bin:/usr/bin');
  assert.equal(env.npm_config_nodedir, '/cache/node24');
  assert.equal(env.npm_config_user_agent, undefined);
});

test("an install script run by the child npm sees the child's own Node, not the parent's", async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'atlas-npm-env-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // The check code-server's install script makes: the Node major named in npm_config_user_agent.
  writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'ua-probe', private: true, scripts: { probe: 'node -e "console.log(process.env.npm_config_user_agent)"' } }),
  );
  const parent = { ...process.env, npm_config_user_agent: 'npm/11.19.1 node/v0.0.1-parent linux x64' };
  const probe = (env: NodeJS.ProcessEnv) => spawnSync('npm', ['run', '--silent', 'probe'], { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
  const inherited = probe(parent);
  assert.equal(inherited.status, 0, inherited.stderr);
  assert.match(inherited.stdout, /node\/v0\.0\.1-parent/, 'control: an inherited npm_config_user_agent reaches the install script');
  const clean = probe((await childNpmEnv())(parent));
  assert.equal(clean.status, 0, clean.stderr);
  assert.match(clean.stdout, new RegExp(`node/${process.version.replace(/\./g, '\\.')} `));
});
