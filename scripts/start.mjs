// `npm start`: opens VS Code with Paper Atlas (this folder, in development mode) on a sample
// workspace generated at start time into ~/.cache/paper-atlas-start/workspace: the Daily Papers list
// from ../shared/data (when present), a .bib with the fixture library plus BibTeX entries made from
// that list, and a notes/ folder citing those papers in every syntax the hovers understand.
// Shared data is copied into the cache folder, never into the repository.
// Desktop VS Code (`code` on PATH) gets --extensionDevelopmentPath; otherwise code-server runs on
// 127.0.0.1 (installed once by scripts/vscode/install.mjs) and the URL to open is printed.
// Every step prints a line as it starts (the first run installs for a few minutes), and the end says how
// to reach the 127.0.0.1 URL from another machine (an SSH tunnel).
// Options: --port N (code-server), --no-open (generate the workspace and exit), --no-build.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir, ensureAptPackages, ensureCodeServer, ensureNode24 } from './vscode/install.mjs';
import { startCodeServer, workbenchUrl } from './vscode/codeServer.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cache = process.env.PAPER_ATLAS_START_DIR ?? path.join(os.homedir(), '.cache', 'paper-atlas-start');
const args = process.argv.slice(2);
const started = Date.now();
const step = (line) => console.log(`[start ${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`);
const portArg = args.indexOf('--port');
const port = portArg >= 0 ? Number(args[portArg + 1]) : undefined;

/** Title/abstract pairs of a Daily Papers page pasted as text. */
function dailyPapers(file) {
  const paras = readFileSync(file, 'utf8').split(/\r?\n\s*\r?\n/).map((p) => p.replace(/\s+/g, ' ').trim()).filter(Boolean);
  const start = paras.findIndex((p) => /^[A-Z][a-z]{2} \d{1,2}$/.test(p)); // the date line ("Jul 31")
  const papers = [];
  for (let i = start + 1; i + 1 < paras.length; i += 2) {
    const [title, abstract] = [paras[i], paras[i + 1]];
    if (title.length > 250 || abstract.length < 80) break;
    papers.push({ title, abstract });
  }
  return papers;
}

function keyFor(title, used) {
  const word = (title.toLowerCase().match(/[a-z][a-z0-9]{2,}/g) ?? ['paper']).find((w) => !['the', 'and', 'for', 'with', 'from', 'are', 'via'].includes(w)) ?? 'paper';
  let key = `${word}2024`;
  for (let n = 2; used.has(key); n++) key = `${word}2024${String.fromCharCode(96 + n)}`;
  used.add(key);
  return key;
}

const bibEscape = (s) => s.replace(/[{}]/g, '');

function generateWorkspace() {
  const ws = path.join(cache, 'workspace');
  rmSync(ws, { recursive: true, force: true });
  mkdirSync(path.join(ws, 'notes'), { recursive: true });
  mkdirSync(path.join(ws, '.vscode'), { recursive: true });
  cpSync(path.join(root, 'test', 'fixtures', 'workspace', 'notes'), path.join(ws, 'notes'), { recursive: true });
  let bib = readFileSync(path.join(root, 'test', 'fixtures', 'workspace', 'library.bib'), 'utf8');
  const daily = path.resolve(root, '..', 'shared', 'data', 'daily-papers.txt');
  const cited = [];
  if (existsSync(daily)) {
    cpSync(daily, path.join(ws, 'daily-papers.txt'));
    const used = new Set();
    const entries = dailyPapers(daily).slice(0, 40).map((p) => {
      const key = keyFor(p.title, used);
      cited.push({ key, title: p.title });
      return `@misc{${key},\n  title = {${bibEscape(p.title)}},\n  year = {2024},\n  note = {Hugging Face Daily Papers},\n  abstract = {${bibEscape(p.abstract)}}\n}`;
    });
    bib += `\n% Entries made from ../shared/data/daily-papers.txt at start time.\n\n${entries.join('\n\n')}\n`;
  } else console.log(`(${daily} not found: the sample workspace has only the fixture library)`);
  writeFileSync(path.join(ws, 'library.bib'), bib);
  const syntaxes = [(k) => `[@${k}]`, (k) => `@${k}`, (k) => `[[@${k}]]`, (k) => `\\cite{${k}}`];
  const lines = cited.slice(0, 12).map((c, i) => `- ${c.title.split(':')[0]} ${syntaxes[i % syntaxes.length](c.key)}`);
  writeFileSync(
    path.join(ws, 'notes', 'daily-reading.md'),
    `# Daily reading\n\nPapers from this week's list, cited in every syntax Paper Atlas understands.\nHover a key to see the paper and related work.\n\n${lines.join('\n')}\n`,
  );
  const settings = { 'paperAtlas.include': ['**/*.bib', '**/*.md', '**/daily-papers.txt'] };
  if (!existsSync(path.join(root, 'models', 'atlas-mini-encoder', 'onnx', 'model.onnx')) && existsSync('/tmp/dev-encoder/onnx/model.onnx')) {
    settings['paperAtlas.encoderModel'] = '/tmp/dev-encoder';
    console.log('the bundled encoder is not there yet: the sample workspace uses /tmp/dev-encoder');
  }
  writeFileSync(path.join(ws, '.vscode', 'settings.json'), JSON.stringify(settings, null, 2));
  return ws;
}

if (!args.includes('--no-build')) {
  step('building the extension (node scripts/build.mjs)');
  const b = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0) {
    console.error(`the build failed (exit ${b.status ?? b.signal})`);
    process.exit(1);
  }
}
step('generating the sample workspace');
const workspace = generateWorkspace();
step(`sample workspace: ${workspace}`);
if (args.includes('--no-open')) process.exit(0);

const code = spawnSync('sh', ['-c', 'command -v code'], { encoding: 'utf8' }).stdout.trim();
if (code) {
  step(`opening desktop VS Code (${code})`);
  const r = spawnSync(code, ['--new-window', `--extensionDevelopmentPath=${root}`, workspace], { stdio: 'inherit' });
  process.exit(r.status ?? 0);
}

step(`no desktop VS Code (\`code\`) on PATH: using code-server; checking its cache (${cacheDir()})`);
await ensureAptPackages();
const node24 = await ensureNode24();
const { entry } = await ensureCodeServer(node24);
step('starting code-server');
const server = await startCodeServer({ node: node24, entry, dir: path.join(cache, 'code-server'), port, log: step });
const url = workbenchUrl(server.url, { folder: workspace, extensionPath: root });
console.log(`
Paper Atlas is running in code-server (ready after ${((Date.now() - started) / 1000).toFixed(0)} s). Open in a browser:

  ${url}

code-server listens on 127.0.0.1 only. From another machine, forward the port over SSH first:

  ssh -N -L ${server.port}:127.0.0.1:${server.port} ${os.userInfo().username}@${os.hostname()}

then open the same URL there. Ctrl+C stops code-server.`);
const stop = () => {
  server.stop();
  setTimeout(() => process.exit(0), 300);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
// Keep this process (and so code-server's group) alive until Ctrl+C.
setInterval(() => undefined, 1 << 30);
