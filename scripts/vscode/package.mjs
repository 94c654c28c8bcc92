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
import { fileURLToPath, pathToFileURL } from 'node:url';

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

/** Relative paths of the files a Markdown text links to or shows (`[..](rel)`, `![..](rel)`, `<img src="rel">`). */
export function readmeLocalFiles(markdown) {
  const links = [...markdown.matchAll(/!?\[[^\]]*\]\(([^)\s]+)[^)]*\)/g), ...markdown.matchAll(/<img[^>]+src=["']([^"']+)["']/g)].map((m) => m[1]);
  return [...new Set(links.filter((l) => !/^[a-z][\w+.-]*:/i.test(l) && !l.startsWith('#') && !l.startsWith('/')).map((l) => path.posix.normalize(l.split('#')[0])))];
}

/**
 * How vsce treats the README's relative links. With a repository in package.json or base URLs on the
 * command line (`npm run package -- --baseContentUrl URL`), vsce rewrites them to absolute URLs for the
 * Marketplace page. Without either (a fresh clone: this project names no public repository) vsce would
 * stop ("Couldn't detect the repository"); the links then stay relative and resolve inside the VSIX.
 */
export function vsceReadmeArgs(pkg, argv) {
  const passed = [];
  for (const flag of ['--baseContentUrl', '--baseImagesUrl', '--githubBranch']) {
    const i = argv.indexOf(flag);
    if (i >= 0 && argv[i + 1]) passed.push(flag, argv[i + 1]);
  }
  if (passed.length > 0 || pkg.repository) return passed;
  return ['--no-rewrite-relative-links'];
}

/** Every file under `dir` whose name ends with one of `suffixes`. */
function filesEndingWith(dir, suffixes) {
  const found = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) found.push(...filesEndingWith(p, suffixes));
    else if (e.isFile() && suffixes.some((x) => e.name.endsWith(x))) found.push(p);
  }
  return found;
}

/**
 * LanceDB's Linux binary ships its full symbol table (.symtab/.strtab of Rust names: 20 MB, ~4 MB of the
 * VSIX). Loading needs only the dynamic symbols, which `strip --strip-unneeded` keeps; only stack traces
 * of a native crash lose names. Skipped, with a line, where `strip` is missing or cannot read the file.
 */
function stripNativeSymbols(dir) {
  // The runtime packages' own binaries; nested copies (LanceDB's optional transformers.js) never ship.
  const shipped = readdirSync(path.join(dir, 'node_modules', '@lancedb')).map((p) => path.join(dir, 'node_modules', '@lancedb', p));
  shipped.push(path.join(dir, 'node_modules', 'onnxruntime-node'));
  const topLevel = (f) => path.relative(dir, f).split(path.sep).filter((part) => part === 'node_modules').length === 1;
  for (const file of shipped.flatMap((p) => filesEndingWith(p, ['.node'])).filter(topLevel)) {
    const before = statSync(file).size;
    const r = spawnSync('strip', ['--strip-unneeded', file], { encoding: 'utf8' });
    if (r.status !== 0) {
      console.log(`not stripped (${r.error?.message ?? r.stderr.trim()}): ${path.relative(dir, file)}`);
      continue;
    }
    const after = statSync(file).size;
    if (before - after > 1 << 20) console.log(`stripped symbols: ${path.relative(dir, file)} ${mb(before)} -> ${mb(after)}`);
  }
}

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
  // The README's images (screenshots) ship too: VS Code shows an installed extension's README from its
  // own folder, where relative links resolve (see vsceReadmeArgs).
  for (const rel of readmeLocalFiles(readFileSync(path.join(root, 'README.md'), 'utf8'))) {
    if (existsSync(path.join(root, rel)) && statSync(path.join(root, rel)).isFile()) cpSync(path.join(root, rel), path.join(dir, rel));
  }
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
  if (t.os === 'linux') stripNativeSymbols(dir);
  console.log(`staged ${target}: ${mb(folderBytes(dir))} in ${dir}`);
  return { dir, version: pkg.version, name: pkg.name };
}

function main() {
  const targetArg = process.argv.indexOf('--target');
  const targets = (targetArg >= 0 ? process.argv[targetArg + 1] : 'linux-x64').split(',').filter(Boolean);
  if (!existsSync(path.join(root, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run `node scripts/build.mjs --production` first');
  const vsce = path.join(root, 'node_modules', '.bin', 'vsce');
  for (const target of targets) {
    const { dir, name, version } = stage(target);
    const out = path.join(root, `${name}-${target}-${version}.vsix`);
    const readmeArgs = vsceReadmeArgs(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')), process.argv);
    run(vsce, ['package', '--target', target, '--out', out, '--allow-missing-repository', '--skip-license', '--allow-star-activation', ...readmeArgs], dir);
    console.log(`\n${path.basename(out)}: ${mb(statSync(out).size)}`);
  }
}

// Run as a script (`npm run package`); imported by the unit tests for its helpers.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
