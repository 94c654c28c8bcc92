// The integration tier: Paper Atlas inside a real VS Code workbench (code-server from npm + Debian's
// chromium; see ../shared/VSCODE-TESTING.md). Installs what it needs once into
// ~/.cache/paper-atlas-test, copies test/fixtures/workspace to a temporary folder, then
//   1. runs the extension-host tests (dist-test/test/integration/suite) through extensionTestsPath,
//   2. drives the workbench UI with playwright-core (test/integration/ui/workbenchUi.mjs): palette
//      search, Papers tree, citation hover, Atlas panel (dark and light), with screenshots.
// Exits non-zero on any failure and always kills code-server's whole process group.
// Where VS Code can be downloaded, `npx vscode-test` (.vscode-test.mjs) runs the same suite in a
// downloaded VS Code through @vscode/test-electron instead.
//
// Env: PAPER_ATLAS_TEST_MODEL (encoder id or folder; default: the bundled model, else /tmp/dev-encoder),
//      PAPER_ATLAS_UPDATE_SCREENSHOTS=1 (copy screenshots to media/screenshots), PAPER_ATLAS_KEEP=1.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { ensureAll } from './vscode/install.mjs';
import { startCodeServer, workbenchUrl } from './vscode/codeServer.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const started = Date.now();
const log = (line) => console.log(`[integration ${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`);

// playwright's launch() already uses a fresh temporary profile (it refuses --user-data-dir).
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];

function encoderModel() {
  if (process.env.PAPER_ATLAS_TEST_MODEL) return process.env.PAPER_ATLAS_TEST_MODEL;
  if (existsSync(path.join(root, 'models', 'atlas-mini-encoder', 'onnx', 'model.onnx'))) return 'atlas-mini-encoder';
  if (existsSync('/tmp/dev-encoder/onnx/model.onnx')) {
    log('the bundled encoder has no onnx/model.onnx yet: using /tmp/dev-encoder');
    return '/tmp/dev-encoder';
  }
  throw new Error('no encoder model: models/atlas-mini-encoder/onnx/model.onnx is missing and PAPER_ATLAS_TEST_MODEL is not set');
}

/** Loads the extension-host tests through extensionTestsPath and waits for codeAutomationExit. */
async function runExtensionHostTests(browser, url, resultsFile) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const exit = new Promise((resolve) => void page.exposeFunction('codeAutomationExit', (code) => resolve(Number(code))));
  page.on('console', (m) => {
    const t = m.text();
    if (/[✔✘]|activation time|extension-host tests/.test(t)) console.log(t.replace(/^%c\s*\w+\s*color:\s*\S+\s*/, ''));
  });
  // Only the navigation: the run's own deadline is the 300 s race below. Playwright's default 30 s
  // for the full 'load' of the workbench ran out on a 2-core machine under load (fresh-clone CI run).
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 120_000 });
  const code = await Promise.race([exit, new Promise((r) => setTimeout(() => r('timeout'), 300_000))]);
  await page.close().catch(() => undefined);
  let results = [];
  try {
    results = JSON.parse(readFileSync(resultsFile, 'utf8')).results;
  } catch {
    // the run may have died before writing results
  }
  return { code, results };
}

async function main() {
  const tools = await ensureAll();
  if (!existsSync(path.join(root, 'dist', 'extension.js')) || !existsSync(path.join(root, 'dist-test', 'test', 'integration', 'suite', 'index.js'))) {
    log('building');
    const b = spawnSync('node', ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('build failed');
  }
  const run = mkdtempSync(path.join(os.tmpdir(), 'paper-atlas-it-'));
  const workspace = path.join(run, 'workspace');
  cpSync(path.join(root, 'test', 'fixtures', 'workspace'), workspace, { recursive: true });
  const resultsFile = path.join(run, 'host-results.json');
  const shots = path.join(run, 'screenshots');
  mkdirSync(shots, { recursive: true });
  const model = encoderModel();
  log(`run folder ${run}; encoder ${model}`);
  const server = await startCodeServer({
    node: tools.node24,
    entry: tools.codeServer,
    dir: path.join(run, 'cs'),
    settings: { 'paperAtlas.encoderModel': model, 'paperAtlas.executionProviders': ['cpu'], 'workbench.colorTheme': 'Default Dark Modern' },
    env: { PAPER_ATLAS_TEST_RESULTS: resultsFile },
    log,
  });
  let browser;
  const failures = [];
  let passed = 0;
  const stopAll = async () => {
    await browser?.close().catch(() => undefined);
    server.stop();
  };
  process.on('SIGINT', () => void stopAll().then(() => process.exit(130)));
  // .ci/run's time limit sends SIGTERM: code-server runs in its own process group and would outlive us.
  process.on('SIGTERM', () => void stopAll().then(() => process.exit(143)));
  try {
    browser = await chromium.launch({ executablePath: tools.chromium, headless: true, args: CHROMIUM_ARGS });
    // 1. Extension-host tests.
    log('extension-host tests');
    const hostUrl = workbenchUrl(server.url, {
      folder: workspace,
      extensionPath: root,
      testsPath: path.join(root, 'dist-test', 'test', 'integration', 'suite', 'index.js'),
    });
    const host = await runExtensionHostTests(browser, hostUrl, resultsFile);
    for (const r of host.results) {
      if (r.ok) passed++;
      else failures.push(`host: ${r.name}\n${r.error}`);
    }
    if (host.code !== 0 && failures.length === 0) failures.push(`host: the extension-host test run ended with ${host.code}`);
    log(`extension-host tests: exit ${host.code}, ${host.results.filter((r) => r.ok).length}/${host.results.length} passed`);

    // 2. UI tests in a fresh window (a fresh copy of the workspace keeps the index the first run built).
    const { runUiTests } = await import(path.join(root, 'test', 'integration', 'ui', 'workbenchUi.mjs'));
    // Two papers of other fields (psychiatry, astrophysics) for the keyphrase screenshots, added now so
    // that the host tests above see the fixture library alone.
    const sharedData = process.env.PAPER_ATLAS_SHARED_DATA ?? path.resolve(root, '..', 'shared', 'data');
    const { writeOtherFields } = await import(path.join(root, 'test', 'integration', 'ui', 'otherFields.mjs'));
    const otherFields = writeOtherFields(workspace, sharedData);
    log(otherFields.papers ? `other fields: ${otherFields.papers.map((p) => `${p.field}: ${p.title}`).join('; ')}` : `other fields: none (${otherFields.reason})`);
    const empty = path.join(run, 'empty-workspace');
    mkdirSync(empty, { recursive: true });
    const ui = await runUiTests({
      browser,
      url: workbenchUrl(server.url, { folder: workspace, extensionPath: root }),
      emptyUrl: workbenchUrl(server.url, { folder: empty, extensionPath: root }),
      shots,
      otherFields: otherFields.papers,
      log,
    });
    for (const r of ui) {
      if (r.ok) passed++;
      else failures.push(`ui: ${r.name}\n${r.error}`);
    }
    // 3. Hover latency on the whole arXiv file (74,728 papers) in a third window (issue 18). Skipped
    // with a line when the shared data is absent, by PAPER_ATLAS_UI_LARGE=0, or by a PAPER_ATLAS_UI_ONLY
    // that does not name it.
    const only = process.env.PAPER_ATLAS_UI_ONLY ? new RegExp(process.env.PAPER_ATLAS_UI_ONLY, 'i') : undefined;
    if (process.env.PAPER_ATLAS_UI_LARGE === '0' || (only && !only.test('hover latency on a large library'))) log('large-library hover: skipped');
    else {
      const { makeLargeLibrary, runLargeLibraryHover } = await import(path.join(root, 'test', 'integration', 'ui', 'largeLibrary.mjs'));
      const library = await makeLargeLibrary(run, sharedData);
      if (!library.workspace) log(`large-library hover: skipped (${library.reason})`);
      else {
        log(`large-library hover: ${library.count} papers, ${library.cited.length} cited keys`);
        const r = await runLargeLibraryHover({ browser, url: workbenchUrl(server.url, { folder: library.workspace, extensionPath: root }), library, shots, log });
        if (r.ok) passed++;
        else failures.push(`ui: ${r.name}\n${r.error}`);
      }
    }
    if (process.env.PAPER_ATLAS_UPDATE_SCREENSHOTS === '1') {
      const dest = path.join(root, 'media', 'screenshots');
      mkdirSync(dest, { recursive: true });
      cpSync(shots, dest, { recursive: true });
      log(`screenshots copied to ${dest}`);
    }
  } catch (e) {
    failures.push(`harness: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  } finally {
    await stopAll();
  }
  log(`screenshots in ${shots}; code-server log ${server.logFile}`);
  for (const f of failures) console.error(`\nFAILED ${f}`);
  console.log(`\nintegration: ${passed} passed, ${failures.length} failed (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  if (failures.length === 0 && process.env.PAPER_ATLAS_KEEP !== '1') rmSync(run, { recursive: true, force: true });
  process.exit(failures.length === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(`integration harness failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
});
