/**
 * Crash safety of indexing (issue #7 item 2): `paper-atlas index` over 10,000 arXiv papers is killed
 * with SIGKILL at random moments, 20 times. After every kill the index must open (through LanceDB and
 * through the engine), hold every paper it held before the kill exactly once, hold nothing outside
 * the library, and the next run must embed only the papers that are missing (resume, not restart).
 * The last run, left to finish, must leave exactly the library's 10,000 papers.
 *
 * Kill times are random but budgeted: each kill falls somewhere in the start-up plus a share of the
 * embedding work still left, so the 20 kills spread over the whole index instead of all landing in
 * the first seconds or after the work is done. PAPER_ATLAS_SOAK_SEED replays a run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { seededRandom } from '../../src/core/clustering/seededRandom';
import { mergePapers, readLibraryFile } from '../../src/core/ingest/libraryReader';
import { packageRoot } from '../../src/engine/node/packageRoot';
import { CLI, readIndex, runCli, startCli } from '../unit/engine/indexProbe';

const KILLS = 20;
/** Of the kills, how many wait for the optimising phase instead of a random moment. */
const OPTIMISE_KILLS = 3;
const PAPERS = 10_000;
const source = path.join(packageRoot(), '..', 'shared', 'data', 'arxiv', 'arxiv-listings.jsonl.gz');
const skip = !process.env.PAPER_ATLAS_SOAK
  ? 'set PAPER_ATLAS_SOAK=1 (npm run soak) to run the kill -9 soak'
  : !existsSync(source)
    ? `no arXiv listings at ${source}: the kill -9 soak needs ../shared/data`
    : !existsSync(CLI)
      ? `no ${CLI}: build first`
      : false;

async function firstLines(gz: string, n: number): Promise<string[]> {
  const lines: string[] = [];
  const input = createReadStream(gz).pipe(createGunzip());
  const rl = createInterface({ input, crlfDelay: Infinity });
  for await (const line of rl) {
    if (line.trim()) lines.push(line);
    if (lines.length >= n) break;
  }
  rl.close();
  input.destroy();
  return lines;
}

interface RunRecord {
  run: number;
  delayMs: number | undefined;
  killed: boolean;
  phaseAtKill: string;
  before: number;
  after: number;
  /** Papers the run set out to embed (its first embedding progress line), when it got that far. */
  planned: number | undefined;
  /** Of those, papers that were already in the index: work redone instead of resumed. */
  reembedded: number | undefined;
}

test(`kill -9 ${KILLS} times while indexing ${PAPERS.toLocaleString('en')} papers: nothing lost, nothing doubled, each run resumes`, { skip, timeout: 30 * 60_000 }, async () => {
  const seed = Number(process.env.PAPER_ATLAS_SOAK_SEED ?? Date.now() % 1_000_000);
  const rand = seededRandom(seed); // seeded, so a failing schedule can be replayed
  const work = mkdtempSync(path.join(os.tmpdir(), 'atlas-kill-soak-'));
  const library = path.join(work, 'arxiv-10k.jsonl');
  const dbDir = path.join(work, 'db');
  writeFileSync(library, `${(await firstLines(source, PAPERS)).join('\n')}\n`);
  // The ids the engine must end up with: the library read through the engine's own parser.
  const expected = new Set(mergePapers([await readLibraryFile(library)]).papers.map((p) => p.id));
  assert.equal(expected.size, PAPERS, 'the first 10,000 listings are 10,000 distinct papers');

  const records: RunRecord[] = [];
  let summaryLine = `kill -9 soak: FAILED (seed ${seed}), see the table above`;
  let present = new Set<string>();
  let kills = 0;
  let lost = 0;
  let duplicates = 0;
  let startupMs = 1500;
  // Papers/s embedded, from the runs' own progress lines; only shapes the kill schedule.
  let rate = 600;
  /** Set once a run finished on its own: from then on every run is a no-op over a complete index. */
  let completed = false;
  const started = Date.now();
  try {
    for (let run = 1; kills < KILLS; run++) {
      assert.ok(run <= KILLS * 3, `only ${kills} kills landed in ${run - 1} runs: runs finish before the kill`);
      // Three kinds of kill, at random moments:
      // - start-up (one in four of the rest): anywhere from spawn to a little past the first embedding,
      //   which covers reading the library and comparing it with the index;
      // - embedding: a moment after the run's first embedding progress. Work is committed a chunk (1,024
      //   papers) at a time, so the window is one chunk plus 1.6 times this kill's share of the work left
      //   (a uniform moment in it commits about 0.8 of that share), capped at half the work left so that
      //   runs do not finish before the last kills;
      // - optimising (the last OPTIMISE_KILLS): within 150 ms of the optimising line, the step that
      //   compacts, builds the full-text index and deletes old versions, i.e. rewrites committed files.
      // Once a run has finished, runs are no-ops over a complete index and all kills are start-up kills.
      const missing = expected.size - present.size;
      const randomKillsLeft = Math.max(1, KILLS - OPTIMISE_KILLS - kills);
      const chunkMs = (1024 / rate) * 1000;
      const missingMs = (missing / rate) * 1000;
      const window = Math.max(200, Math.min(chunkMs + (1.6 * missingMs) / randomKillsLeft, 0.5 * missingMs));
      const mode: 'start-up' | 'embedding' | 'optimising' =
        kills >= KILLS - OPTIMISE_KILLS && !completed ? 'optimising' : completed || missing === 0 || rand() < 0.25 ? 'start-up' : 'embedding';
      const delayMs = Math.round(mode === 'optimising' ? rand() * 150 : mode === 'embedding' ? rand() * window : 150 + rand() * (startupMs + 500 - 150));

      const spawned = Date.now();
      const { child, done } = startCli(['index', library, '--db', dbDir, '--providers', 'cpu', '--json']);
      let phase = 'starting';
      let planned: number | undefined;
      let embeddingSince: number | undefined;
      let stderr = '';
      const kill = (): void => void child.kill('SIGKILL');
      child.stderr?.on('data', (s: string) => {
        // Progress lines ("  1% embedding 64 of 10,000 papers, 600/s · 3s"); only whole lines are read.
        const from = stderr.lastIndexOf('\n') + 1;
        stderr += s;
        const complete = stderr.slice(from, stderr.lastIndexOf('\n') + 1);
        for (const m of complete.matchAll(/^\s*\d+% (\w+)(?: ([\d,]+) of ([\d,]+) papers?)?(?:, (\d+)\/s)?/gm)) {
          const previous = phase;
          phase = m[1] ?? phase;
          if (phase === 'embedding' && planned === undefined) {
            planned = Number((m[3] ?? '').replace(/,/g, ''));
            embeddingSince = Date.now();
            startupMs = Math.round(0.7 * startupMs + 0.3 * (embeddingSince - spawned));
            if (mode === 'embedding') setTimeout(kill, delayMs);
          }
          if (m[4] && Number(m[2]?.replace(/,/g, '')) >= 1000) rate = Math.round(0.5 * rate + 0.5 * Number(m[4]));
          if (mode === 'optimising' && phase === 'optimising' && previous !== 'optimising') setTimeout(kill, delayMs);
        }
      });
      const timer = mode === 'start-up' ? setTimeout(kill, delayMs) : undefined;
      const result = await done;
      clearTimeout(timer);
      const killed = result.signal === 'SIGKILL';
      if (!killed) assert.equal(result.code, 0, `run ${run} failed on its own: ${stderr}`);
      if (!killed) completed = true;
      if (killed) kills++;
      const killedAt = Date.now();

      // The folder opens through LanceDB, holds no paper twice and nothing outside the library…
      const contents = await readIndex(dbDir);
      const now = new Set(contents.ids);
      duplicates += contents.duplicates.length;
      assert.deepEqual(contents.duplicates, [], `run ${run}: duplicated papers after the kill`);
      assert.equal(contents.rows, now.size);
      for (const id of now) assert.ok(expected.has(id), `run ${run}: ${id} is not in the library`);
      // …and still holds every paper it held before this run.
      const gone = [...present].filter((id) => !now.has(id));
      lost += gone.length;
      assert.deepEqual(gone.slice(0, 5), [], `run ${run}: ${gone.length} papers lost`);
      // The run embedded only what was missing when it started.
      const reembedded = planned === undefined ? undefined : planned - missing;
      assert.ok(reembedded === undefined || reembedded === 0, `run ${run} planned ${planned} papers with ${missing} missing: it redid stored work`);
      records.push({ run, delayMs: killed ? delayMs : undefined, killed, phaseAtKill: killed ? `${phase} (${mode} kill)` : 'finished', before: present.size, after: now.size, planned, reembedded });
      // The embedding rate, from what a killed run committed: between (commits) and (commits + 1 chunk)
      // in the time it embedded; the midpoint, smoothed.
      if (killed && embeddingSince !== undefined && phase === 'embedding' && killedAt - embeddingSince > 500) {
        const committed = now.size - present.size;
        rate = Math.round(0.6 * rate + 0.4 * ((committed + 512) / ((killedAt - embeddingSince) / 1000)));
      }
      present = now;

      // The engine opens the folder after the kill (the marker may not exist when the kill came first).
      if (existsSync(path.join(dbDir, '.paper-atlas-index'))) {
        const info = await runCli(['info', '--db', dbDir, '--json']);
        assert.equal(info.code, 0, `run ${run}: info after the kill failed: ${info.stderr}`);
        assert.equal((JSON.parse(info.stdout) as { papers: number }).papers, now.size);
      }
    }

    // The last resume, left to finish.
    const missing = expected.size - present.size;
    const last = await runCli(['index', library, '--db', dbDir, '--providers', 'cpu', '--json']);
    assert.equal(last.code, 0, last.stderr);
    const summary = JSON.parse(last.stdout) as { embedded: number; papers: number };
    assert.equal(summary.embedded, missing, 'the last run embedded exactly the missing papers');
    assert.ok(summary.embedded < PAPERS, 'the last run resumed rather than starting over');
    const final = await readIndex(dbDir);
    assert.deepEqual(final.duplicates, []);
    assert.deepEqual(new Set(final.ids), expected, 'the index holds exactly the library');
    const search = await runCli(['search', 'graph neural networks for molecules', '--db', dbDir, '--json', '--k', '3']);
    assert.equal(search.code, 0, search.stderr);
    assert.equal((JSON.parse(search.stdout) as unknown[]).length, 3);
    records.push({ run: records.length + 1, delayMs: undefined, killed: false, phaseAtKill: 'finished', before: present.size, after: final.ids.length, planned: summary.embedded, reembedded: summary.embedded - missing });

    const resumed = records.filter((r) => r.before > 0 && r.planned !== undefined);
    summaryLine =
      `kill -9 soak: ${kills}/${KILLS} kills survived, ${lost} papers lost, ${duplicates} duplicates, ` +
      `${resumed.length} resumed runs (each planned exactly the missing papers) re-embedded ${resumed.reduce((s, r) => s + (r.reembedded ?? 0), 0)} stored papers, ` +
      `last resume embedded ${summary.embedded} of ${PAPERS}, final index ${final.ids.length}/${PAPERS} papers, ${((Date.now() - started) / 1000).toFixed(0)} s`;
  } finally {
    // The table comes out whether the soak passed or not: a failure is read against the kills before it.
    const fmt = (n: number | undefined): string => (n === undefined ? '-' : String(n));
    console.log(`\nkill -9 soak (seed ${seed}): run | kill after ms (from spawn, first embedding line or optimising line) | phase at kill (kind of kill) | papers before | after | planned to embed | re-embedded`);
    for (const r of records) {
      console.log(`  ${[r.run, fmt(r.delayMs), r.phaseAtKill, r.before, r.after, fmt(r.planned), fmt(r.reembedded)].join(' | ')}`);
    }
    console.log(summaryLine);
    rmSync(work, { recursive: true, force: true });
  }
});
