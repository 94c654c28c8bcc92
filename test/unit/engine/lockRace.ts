/**
 * Processes racing for one lock, for the lock tests (indexLock.test.ts, fileLock.test.ts). A racer is
 * the test file itself run again with `envVar` naming what to lock: it waits for a common start time,
 * tries once, prints `won` or `refused: <message>`, and a winner holds the lock until the test has
 * every verdict (it closes the racers' stdin then): on a loaded machine a racer can start seconds
 * late, and a lock already released would let it win fairly.
 */
import { spawn } from 'node:child_process';

/** In a racer process: take the lock named by `envVar` once and report. Returns false in the test process. */
export function runAsRacer(envVar: string, take: (target: string) => () => void): boolean {
  const target = process.env[envVar];
  if (!target) return false;
  const start = Number(process.env[`${envVar}_START`]);
  setTimeout(() => {
    try {
      const release = take(target);
      process.stdout.write('won\n');
      process.stdin.resume();
      process.stdin.on('end', () => {
        release();
        process.exit(0);
      });
    } catch (e) {
      process.stdout.write(`refused: ${(e as Error).message}\n`);
      process.exit(0);
    }
  }, Math.max(0, start - Date.now()));
  return true;
}

/** Starts `count` racers of `testFile` for `target` at once; their verdicts and pids, in start order. */
export async function raceForLock(testFile: string, envVar: string, target: string, count: number): Promise<{ verdicts: string[]; pids: (number | undefined)[] }> {
  const start = Date.now() + 1500; // all racers loaded before the start signal
  const children = Array.from({ length: count }, () => {
    const env: NodeJS.ProcessEnv = { ...process.env, [envVar]: target, [`${envVar}_START`]: String(start) };
    delete env.NODE_TEST_CONTEXT; // the racer reports on stdout, not to this test runner
    return spawn(process.execPath, [testFile], { env });
  });
  let verdictsSeen = 0;
  const outputs = await Promise.all(
    children.map((child) => {
      let out = '';
      let counted = false;
      child.stdout.setEncoding('utf8').on('data', (s: string) => {
        out += s;
        if (!counted && /^(won|refused: )/m.test(out)) {
          counted = true;
          // Every racer has decided: let the winner release its lock.
          if (++verdictsSeen === children.length) for (const c of children) c.stdin.end();
        }
      });
      child.on('exit', () => {
        if (!counted && ++verdictsSeen === children.length) for (const c of children) c.stdin.end();
        counted = true;
      });
      return new Promise<string>((resolve) => child.on('close', () => resolve(out.trim())));
    }),
  );
  // A racer is the test file run again, so node:test's report of the file's other tests comes along: keep our lines.
  const verdicts = outputs.map((o) => o.split('\n').find((l) => l === 'won' || l.startsWith('refused: ')) ?? o);
  return { verdicts, pids: children.map((c) => c.pid) };
}
