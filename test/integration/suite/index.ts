/**
 * extensionTestsPath entry: VS Code's extension host calls run() and reports its outcome to the
 * workbench (code-server hands it to window.codeAutomationExit). Results are also written as JSON to
 * $PAPER_ATLAS_TEST_RESULTS for scripts/integration.mjs to print.
 */
import { writeFileSync } from 'node:fs';
import { runRegistered } from './harness';
import './extension.test';
import './citations.test';

export async function run(): Promise<void> {
  const lines: string[] = [];
  const log = (line: string): void => {
    lines.push(line);
    console.log(line);
  };
  const started = Date.now();
  const results = await runRegistered(log);
  const failed = results.filter((r) => !r.ok).length;
  const out = process.env.PAPER_ATLAS_TEST_RESULTS;
  if (out) writeFileSync(out, JSON.stringify({ results, seconds: (Date.now() - started) / 1000 }, null, 2));
  if (failed > 0) throw new Error(`${failed} of ${results.length} extension-host tests failed`);
}
