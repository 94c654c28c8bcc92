/**
 * The parser fuzzers at a size that fits npm test (a few hundred cases per property and format, a
 * fixed seed so a failure reproduces). The full runs (>= 10,000 cases per format, random seed) are
 * test/soak/parserFuzz.soak.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SHARED_ABSENT } from '../ingest/ingestTestPaths';
import { FORMATS } from './fuzzCorpus';
import { formatReportTable, inFuzzWorker, runFuzzJob, type FuzzReport } from './fuzzHarness';
import { formatScalingTable } from './pathologicalInputs';

const SEED = 20260601;
const reports: FuzzReport[] = [];

if (!inFuzzWorker) {
  for (const format of FORMATS) {
    test(`fuzz ${format}: no crash, no hang, well-formed results, other entries intact, linear time`, async (t) => {
      const report = await runFuzzJob(
        {
          format,
          runs: { text: 120, bytes: 50, isolation: 100, byteIsolation: 50 },
          seed: SEED,
          bigLineBytes: 2_000_000,
          caseBaseMs: 2000,
          caseMsPerMB: 1500,
          // n = 8 KB (16 KB for BibTeX's slowest), 8n = 64 KB: quadratic growth shows, and the
          // slowest case (the BibTeX library on undefined macros) stays near a second.
          scalingBytes: 8_000,
        },
        60_000,
      );
      reports.push(report);
      // Without ../shared/data the fixtures are fuzzed alone: still every property, on less text.
      if (!report.shared) t.diagnostic(`${SHARED_ABSENT}: fuzzed the fixtures only`);
      assert.deepEqual(report.failures, []);
      assert.equal(report.crashes, 0);
      assert.equal(report.hangs, 0);
      assert.ok(report.cases.text >= 120 && report.cases.bytes >= 50, 'every case ran');
    });
  }
  test.after(() => console.log(`\n${formatReportTable(reports)}\n\n${formatScalingTable(reports.flatMap((r) => r.scaling))}`));
}
