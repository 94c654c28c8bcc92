// `npm run package`: builds per-platform VSIXs from a staging folder, so the repository's own
// node_modules (dev tools, every platform's binaries) never leak into a package.
//   node scripts/vscode/package.mjs [--target linux-x64,darwin-arm64,...]   (default linux-x64)
// For each target: copy dist/ (production bundles), media/, models/ (bundled models only),
// README and the manifest into <cache>/stage-<target>; install only the native runtime packages the
// bundles load (onnxruntime-node, @lancedb/lancedb, apache-arrow) with npm's --os/--cpu, at the
// lockfile's versions; drop other platforms' onnxruntime binaries; then `vsce package --target`.
// The VSIX lands in the repository root (ignored by git) and its size is printed.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cache = process.env.PAPER_ATLAS_PACKAGE_DIR ?? path.join(os.homedir(), '.cache', 'paper-atlas-package');
const RUNTIME_PACKAGES = ['onnxruntime-node', '@lancedb/lancedb', 'apache-arrow'];
const TARGETS = {
  'linux-x64': { os: 'linux', cpu: 'x64', libc: 'glibc' },
  'linux-arm64': { os: 'linux', cpu: 'arm64', libc: 'glibc' },
  'darwin-arm64': { os: 'darwin', cpu: 'arm64' },
  'darwin-x64': { os: 'darwin', cpu: 'x64' },
  'win32-x64': { os: 'win32', cpu: 'x64' },
  'win32-arm64': { os: 'win32', cpu: 'arm64' },
};

function run(cmd, args, cwd, env = {}) {
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
}

function folderBytes(dir) {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? folderBytes(p) : e.isFile() ? statSync(p).size : 0;
  }
  return total;
}

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function stage(target) {
  const t = TARGETS[target];
  if (!t) throw new Error(`unknown target ${target}; one of ${Object.keys(TARGETS).join(', ')}`);
  const dir = path.join(cache, `stage-${target}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
  // Only the packages the bundles load at run time, pinned to the lockfile's versions.
  pkg.dependencies = Object.fromEntries(RUNTIME_PACKAGES.map((name) => [name, lock.packages[`node_modules/${name}`]?.version ?? pkg.dependencies[name]]));
  delete pkg.devDependencies;
  delete pkg.scripts;
  delete pkg.bin;
  writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  for (const f of ['README.md', 'LICENSE', 'CHANGELOG.md', '.vscodeignore']) if (existsSync(path.join(root, f))) cpSync(path.join(root, f), path.join(dir, f));
  // Every runtime bundle (extension, engine and its helper workers, webview); not the CLI, eval or bench.
  const notShipped = new Set(['cli.js', 'eval.js', 'bench.js']);
  for (const f of readdirSync(path.join(root, 'dist'))) if (f.endsWith('.js') && !notShipped.has(f)) cpSync(path.join(root, 'dist', f), path.join(dir, 'dist', f));
  cpSync(path.join(root, 'dist', 'codicons'), path.join(dir, 'dist', 'codicons'), { recursive: true });
  cpSync(path.join(root, 'media'), path.join(dir, 'media'), { recursive: true, filter: (src) => !src.includes(`${path.sep}screenshots`) });
  if (existsSync(path.join(root, 'models'))) {
    cpSync(path.join(root, 'models'), path.join(dir, 'models'), { recursive: true, filter: (src) => !src.includes(`${path.sep}training`) });
  }
  const npmArgs = ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--no-package-lock', `--os=${t.os}`, `--cpu=${t.cpu}`, ...(t.libc ? [`--libc=${t.libc}`] : [])];
  run('npm', npmArgs, dir, { ONNXRUNTIME_NODE_INSTALL: 'skip' });
  // onnxruntime-node ships every platform's binaries; keep this target's only.
  const ortBin = path.join(dir, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6');
  if (existsSync(ortBin)) {
    for (const o of readdirSync(ortBin)) {
      for (const c of readdirSync(path.join(ortBin, o))) if (o !== t.os || c !== t.cpu) rmSync(path.join(ortBin, o, c), { recursive: true, force: true });
      if (o !== t.os) rmSync(path.join(ortBin, o), { recursive: true, force: true });
    }
  }
  console.log(`staged ${target}: ${mb(folderBytes(dir))} in ${dir}`);
  return { dir, version: pkg.version, name: pkg.name };
}

const targetArg = process.argv.indexOf('--target');
const targets = (targetArg >= 0 ? process.argv[targetArg + 1] : 'linux-x64').split(',').filter(Boolean);
if (!existsSync(path.join(root, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run `node scripts/build.mjs --production` first');
const vsce = path.join(root, 'node_modules', '.bin', 'vsce');
for (const target of targets) {
  const { dir, name, version } = stage(target);
  const out = path.join(root, `${name}-${target}-${version}.vsix`);
  run(vsce, ['package', '--target', target, '--out', out, '--allow-missing-repository', '--skip-license', '--allow-star-activation'], dir);
  console.log(`\n${path.basename(out)}: ${mb(statSync(out).size)}`);
}
