// Starts code-server (VS Code's own server build) on 127.0.0.1 in its own process group, with HOME,
// XDG_* and every data folder inside `dir`, and builds workbench URLs that load an extension in
// development mode (the `payload` parameter replaces --extensionDevelopmentPath, which code-server
// lacks). stop() kills the whole group: killing only the parent would leave the extension host behind.
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitHealthy(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited early with code ${child.exitCode}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer /healthz within ${timeoutMs / 1000}s`);
}

/** User settings that keep the workbench quiet and deterministic for tests and screenshots. */
export const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'editor.hover.delay': 200,
  'window.commandCenter': false,
  'chat.commandCenter.enabled': false,
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'git.enabled': false,
  'files.watcherExclude': { '**/.git/**': true, '**/node_modules/**': true },
};

/**
 * @param {{ node: string, entry: string, dir: string, port?: number, settings?: object, env?: object, log?: (s: string) => void }} o
 */
export async function startCodeServer(o) {
  const dir = o.dir;
  for (const d of ['home', 'ud/User', 'ext', 'xdg/config', 'xdg/data', 'xdg/cache', 'xdg/state', 'tmp']) mkdirSync(path.join(dir, d), { recursive: true });
  writeFileSync(path.join(dir, 'ud', 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...(o.settings ?? {}) }, null, 2));
  writeFileSync(path.join(dir, 'config.yaml'), 'auth: none\ncert: false\n');
  const port = o.port ?? (await freePort());
  const logFile = path.join(dir, 'code-server.log');
  const out = openSync(logFile, 'a');
  const env = {
    ...process.env,
    ...(o.env ?? {}),
    HOME: path.join(dir, 'home'),
    XDG_CONFIG_HOME: path.join(dir, 'xdg/config'),
    XDG_DATA_HOME: path.join(dir, 'xdg/data'),
    XDG_CACHE_HOME: path.join(dir, 'xdg/cache'),
    XDG_STATE_HOME: path.join(dir, 'xdg/state'),
    TMPDIR: path.join(dir, 'tmp'),
    // Keep the real npm/model caches: the extension may read downloaded models from there.
    // code-server asks its extension gallery (open-vsx.org) for recommendations; nothing of ours may
    // leave the machine, so the gallery points at a closed loopback port.
    EXTENSIONS_GALLERY: JSON.stringify({ serviceUrl: 'http://127.0.0.1:9/gallery', itemUrl: 'http://127.0.0.1:9/item', resourceUrlTemplate: 'http://127.0.0.1:9/resource/{publisher}/{name}/{version}/{path}' }),
    PAPER_ATLAS_MODEL_CACHE: process.env.PAPER_ATLAS_MODEL_CACHE ?? path.join(process.env.HOME ?? '/root', '.cache', 'paper-atlas', 'models'),
  };
  const args = [
    o.entry,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--config', path.join(dir, 'config.yaml'),
    '--user-data-dir', path.join(dir, 'ud'),
    '--extensions-dir', path.join(dir, 'ext'),
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--vscode-option', 'enable-smoke-test-driver',
  ];
  const child = spawn(o.node, args, { env, detached: true, stdio: ['ignore', out, out] });
  const url = `http://127.0.0.1:${port}`;
  o.log?.(`code-server pid ${child.pid} on ${url} (log ${logFile})`);
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 1500).unref();
  };
  o.log?.(`waiting for code-server to answer ${url}/healthz`);
  const waitStarted = Date.now();
  try {
    await waitHealthy(url, child, 60_000);
    o.log?.(`code-server answered in ${((Date.now() - waitStarted) / 1000).toFixed(1)} s`);
  } catch (e) {
    stop();
    throw e;
  }
  return { url, port, pid: child.pid, logFile, stop, settingsFile: path.join(dir, 'ud', 'User', 'settings.json') };
}

/** The workbench URL for `folder` with the extension at `extensionPath` in development mode. */
export function workbenchUrl(base, { folder, extensionPath, testsPath }) {
  const payload = [['extensionDevelopmentPath', `vscode-remote://remote${extensionPath}`]];
  if (testsPath) payload.push(['extensionTestsPath', `vscode-remote://remote${testsPath}`]);
  return `${base}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}
