/**
 * `npm run package` on a fresh clone: vsce stopped on the README's relative image links ("Couldn't detect
 * the repository") because this project names no public repository. scripts/vscode/package.mjs now keeps
 * those links relative (they resolve inside the VSIX, where VS Code reads an installed extension's README)
 * and ships the files they point at; a repository or base URLs switch vsce's rewriting back on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../../../src/engine/node/packageRoot';

interface PackageScript {
  readmeLocalFiles(markdown: string): string[];
  vsceReadmeArgs(pkg: Record<string, unknown>, argv: string[]): string[];
}

async function packageScript(): Promise<PackageScript> {
  return (await import(pathToFileURL(path.join(packageRoot(), 'scripts', 'vscode', 'package.mjs')).href)) as PackageScript;
}

test('the files a README shows or links to, relative ones only', async () => {
  const { readmeLocalFiles } = await packageScript();
  const md = [
    '| ![Atlas](media/screenshots/atlas-dark.png) | ![Hover](media/screenshots/hover.png "hover") |',
    'See [models/README.md](models/README.md#training), [site](https://example.org/x.png), [top](#set-up),',
    '[mail](mailto:a@b.c) and <img src="./media/icon.png" width="64">. ![again](media/screenshots/hover.png)',
  ].join('\n');
  assert.deepEqual(readmeLocalFiles(md), ['media/screenshots/atlas-dark.png', 'media/screenshots/hover.png', 'models/README.md', 'media/icon.png']);
  const readme = readFileSync(path.join(packageRoot(), 'README.md'), 'utf8');
  for (const rel of readmeLocalFiles(readme)) assert.ok(existsSync(path.join(packageRoot(), rel)), `README links to ${rel}, which the package cannot ship`);
});

test('vsce rewrites links only where it knows where they point', async () => {
  const { vsceReadmeArgs } = await packageScript();
  assert.deepEqual(vsceReadmeArgs({}, ['node', 'package.mjs']), ['--no-rewrite-relative-links']);
  assert.deepEqual(vsceReadmeArgs({ repository: 'https://github.com/o/r' }, ['node', 'package.mjs']), []);
  assert.deepEqual(vsceReadmeArgs({}, ['node', 'package.mjs', '--target', 'linux-x64', '--baseContentUrl', 'https://h/x/']), ['--baseContentUrl', 'https://h/x/']);
});

test('vsce packages a README with relative images when no repository is named', async (t) => {
  const vsce = path.join(packageRoot(), 'node_modules', '.bin', 'vsce');
  if (!existsSync(vsce)) return t.skip('@vscode/vsce is not installed');
  const { vsceReadmeArgs } = await packageScript();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'atlas-vsce-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const manifest = { name: 'readme-probe', publisher: 'probe', version: '0.0.1', engines: { vscode: '^1.90.0' }, description: 'probe' };
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest));
  writeFileSync(path.join(dir, 'README.md'), '# Probe\n\n![Atlas panel](media/shot.png)\n');
  mkdirSync(path.join(dir, 'media'));
  // A 1x1 PNG.
  writeFileSync(path.join(dir, 'media', 'shot.png'), Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==', 'base64'));
  const pack = (extra: string[]) =>
    spawnSync(vsce, ['package', '--no-dependencies', '--skip-license', '--allow-missing-repository', '--out', path.join(dir, 'probe.vsix'), ...extra], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 120_000,
    });
  const plain = pack([]);
  assert.notEqual(plain.status, 0, 'control: vsce refuses relative images without a repository');
  assert.match(plain.stderr + plain.stdout, /Couldn't detect the repository/);
  const fixed = pack(vsceReadmeArgs(manifest, ['node', 'package.mjs']));
  assert.equal(fixed.status, 0, fixed.stderr + fixed.stdout);
  assert.ok(existsSync(path.join(dir, 'probe.vsix')));
});
