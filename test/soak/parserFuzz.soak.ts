/**
 * `npm run soak`: the parser fuzzers at full size — over 10,000 cases per format (text mutations,
 * byte damage read through readLibraryFile, one corrupted entry among good ones, one invalid byte
 * among good entries, and two 10 MB single-line files), each case in a worker with a hang limit and a
 * time bound; then the pathological inputs at 40 KB and 320 KB, failing on superlinear growth. The
 * seed is random unless PAPER_ATLAS_FUZZ_SEED is set, and printed so a failure reproduces;
 * PAPER_ATLAS_FUZZ_SCALE (default 1) scales the case counts for a quicker look. Prints one table row
 * per format and one per pathological input, the figures for the README.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FORMATS } from '../unit/fuzz/fuzzCorpus';
import { formatReportTable, inFuzzWorker, runFuzzJob, type FuzzReport } from '../unit/fuzz/fuzzHarness';
import { formatScalingTable } from '../unit/fuzz/pathologicalInputs';

const SOAK = process.env.PAPER_ATLAS_SOAK === '1';
const seed = Number(process.env.PAPER_ATLAS_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const scale = Number(process.env.PAPER_ATLAS_FUZZ_SCALE ?? 1);
const n = (count: number): number => Math.max(1, Math.round(count * scale));

// Per-case time bounds, linear in the input size. Measured on the 2-core machine under load (seed
// 1477972359): slowest BibTeX case 941 ms (0.99 MB: a 957 KB insert), slowest other case 515 ms (a
// 10.5 MB single line, pasted list), i.e. < 1 s/MB and < 0.1 s/MB. The bounds allow about 10x that:
// the library behind BibTeX reads 5-15 ms per KB when a file's fields share lines.
const BOUNDS: Record<string, { caseBaseMs: number; caseMsPerMB: number }> = {
  bibtex: { caseBaseMs: 3000, caseMsPerMB: 10_000 },
  default: { caseBaseMs: 3000, caseMsPerMB: 1000 },
};

// A case that makes no progress for this long is a hang: far past any bound above (10 MB of BibTeX: 103 s).
const HANG_MS = 5 * 60_000;

const reports: FuzzReport[] = [];

if (!inFuzzWorker) {
  test('parser fuzz soak', { skip: SOAK ? false : 'set PAPER_ATLAS_SOAK=1 (npm run soak) to run' }, async (t) => {
    console.log(`parser fuzz soak: seed ${seed} (PAPER_ATLAS_FUZZ_SEED=${seed} reproduces it), scale ${scale}`);
    for (const format of FORMATS) {
      await t.test(format, async () => {
        const hasEntries = format !== 'pasted-list' && format !== 'markdown';
        const started = Date.now();
        const report = await runFuzzJob(
          {
            format,
            runs: hasEntries ? { text: n(4000), bytes: n(2000), isolation: n(3000), byteIsolation: n(1500) } : { text: n(7000), bytes: n(3500), isolation: 0, byteIsolation: 0 },
            seed,
            bigLineBytes: 10 * 1024 * 1024,
            // n = 40 KB, 8n = 320 KB: the sizes of the reported blow-ups (a 160 KB line of "@").
            scalingBytes: 40_000,
            ...(BOUNDS[format] ?? BOUNDS.default),
          } as Parameters<typeof runFuzzJob>[0],
          HANG_MS,
        );
        reports.push(report);
        console.log(`${format}: ${report.total} cases in ${((Date.now() - started) / 1000).toFixed(0)} s, slowest ${report.slowestMs.toFixed(0)} ms (${report.slowestCase}), single 10 MB line ${report.bigLineMs.toFixed(0)} ms`);
        for (const f of report.failures) console.log(`  FAILURE ${f}`);
        assert.deepEqual(report.failures, []);
        assert.equal(report.crashes, 0);
        assert.equal(report.hangs, 0);
        if (scale >= 1) assert.ok(report.total >= 10_000, `${report.total} cases`);
      });
    }
    console.log(`\nparser fuzz soak, seed ${seed}:\n${formatReportTable(reports)}\n\n${formatScalingTable(reports.flatMap((r) => r.scaling))}`);
  });
}
