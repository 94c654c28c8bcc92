/**
 * No egress over a long engine session (issue #11 item 1): one engine, kept alive for ≥ 60 s by
 * test/soak/support/engineSession.ts (incremental indexing of a growing library, search, related,
 * keywords), watched by strace for DNS lookups, connect() calls, internet sockets, machine-id reads and
 * files written outside the index folder (see test/unit/engine/syscallWatch.ts). The unit-tier
 * noEgress test runs commands of a few seconds; onnxruntime's telemetry looked up
 * mobile.events.data.microsoft.com ~10 s after start and every ~10 s after, which only a session
 * longer than its timers shows.
 *
 * The child gets a fresh HOME and none of the variables that make onnxruntime quiet by itself (CI=…,
 * ORT_RUNNING_UNIT_TESTS, ORT_DISABLE_TELEMETRY), so only the engine's own switch can keep it quiet.
 * PAPER_ATLAS_EGRESS_SECONDS sets the session length (default 75, at least 60).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../../src/engine/node/packageRoot';
import { childEnv, generatedBib } from '../unit/engine/indexProbe';
import { egressEvents, egressFigures, straceUnavailable, traceSyscalls, userLikeEnv } from '../unit/engine/syscallWatch';

const SECONDS = Math.max(60, Number(process.env.PAPER_ATLAS_EGRESS_SECONDS ?? 75));
const FILES = 40;
const DRIVER = path.join(packageRoot(), 'dist-test', 'test', 'soak', 'support', 'engineSession.js');
const ENGINE = path.join(packageRoot(), 'dist', 'engine.js');
const skip = !process.env.PAPER_ATLAS_SOAK
  ? 'set PAPER_ATLAS_SOAK=1 (npm run soak) to run the long-session egress soak'
  : !existsSync(DRIVER) || !existsSync(ENGINE)
    ? `no ${DRIVER} or ${ENGINE}: build first`
    : (straceUnavailable() ?? false);

test(`a ${SECONDS} s engine session (index, search, related, keywords) looks up no host, connects nowhere, writes only its index`, { skip, timeout: (SECONDS + 240) * 1000 }, async () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'atlas-egress-soak-'));
  try {
    const library = path.join(work, 'library');
    mkdirSync(library);
    const files = Array.from({ length: FILES }, (_, i) => {
      const file = path.join(library, `part${String(i).padStart(2, '0')}.bib`);
      writeFileSync(file, generatedBib(`p${i}x`, 25));
      return file;
    });
    const home = path.join(work, 'home');
    mkdirSync(home);
    const db = path.join(work, 'db');
    const { done } = traceSyscalls(process.execPath, [DRIVER, db, String(SECONDS), ...files], {
      cwd: work,
      env: userLikeEnv(childEnv(), home),
      allowedWrites: [db],
      timeoutMs: (SECONDS + 180) * 1000,
    });
    const r = await done;
    assert.equal(r.code, 0, `the session failed (${r.signal ?? r.code}): ${r.stderr}`);
    const session = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { engineSeconds: number; rounds: number; searches: number; keywordRuns: number; papers: number };
    assert.ok(session.engineSeconds >= 60, `the engine lived ${session.engineSeconds} s`);
    assert.ok(session.rounds >= 3 && session.papers > 25, `work was done: ${JSON.stringify(session)}`);
    console.log(
      `long session: engine alive ${session.engineSeconds.toFixed(0)} s, ${session.rounds} index runs (${session.papers} papers), ` +
        `${session.searches} searches, ${session.keywordRuns} keyword runs, ${r.tasks} threads traced; ${egressFigures(r.egress)}`,
    );
    assert.deepEqual(egressEvents(r.egress), [], 'the engine reached outside its index folder');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
