// @vscode/test-cli configuration for machines that can download VS Code: `npx vscode-test` downloads
// a VS Code build through @vscode/test-electron and runs the extension-host suite
// (test/integration/suite, built to dist-test/ by `npm run build`) on the fixture workspace.
// This machine and CI cannot download VS Code: `npm test` runs the same suite in code-server instead
// (scripts/integration.mjs). The encoder defaults to the bundled model (settings below).
import { defineConfig } from '@vscode/test-cli';

export default defineConfig({
  label: 'extension-host',
  files: ['dist-test/test/integration/suite/extension.test.js', 'dist-test/test/integration/suite/citations.test.js'],
  workspaceFolder: './test/fixtures/workspace',
  version: 'stable',
  mocha: { ui: 'tdd', timeout: 150000 },
  launchArgs: ['--disable-extensions', '--disable-workspace-trust'],
  env: { PAPER_ATLAS_TEST: '1' },
});
