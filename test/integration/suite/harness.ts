/**
 * A small TDD-style runner for the extension-host tests. Under @vscode/test-cli (a downloaded VS
 * Code, elsewhere) mocha defines the globals `suite` and `test` and these functions hand over to
 * them; under scripts/integration.mjs (code-server) index.ts runs the registered tests itself.
 */
type TestFn = () => Promise<void> | void;

interface Registered {
  name: string;
  fn: TestFn;
  timeoutMs: number;
}

const registered: Registered[] = [];
let prefix: string[] = [];
const mocha = globalThis as unknown as { suite?: (n: string, f: () => void) => void; test?: (n: string, f: TestFn) => { timeout?: (ms: number) => void } };

export function suite(name: string, body: () => void): void {
  if (mocha.suite && mocha.test) {
    mocha.suite(name, body);
    return;
  }
  prefix.push(name);
  try {
    body();
  } finally {
    prefix = prefix.slice(0, -1);
  }
}

export function test(name: string, fn: TestFn, timeoutMs = 60_000): void {
  if (mocha.suite && mocha.test) {
    mocha.test(name, fn)?.timeout?.(timeoutMs);
    return;
  }
  registered.push({ name: [...prefix, name].join(' › '), fn, timeoutMs });
}

export interface TestResult {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
}

export async function runRegistered(log: (line: string) => void): Promise<TestResult[]> {
  const results: TestResult[] = [];
  for (const t of registered) {
    const started = Date.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        Promise.resolve().then(t.fn),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${t.timeoutMs} ms`)), t.timeoutMs))),
      ]);
      results.push({ name: t.name, ok: true, ms: Date.now() - started });
      log(`  ✔ ${t.name} (${Date.now() - started} ms)`);
    } catch (e) {
      const error = e instanceof Error ? (e.stack ?? e.message) : String(e);
      results.push({ name: t.name, ok: false, ms: Date.now() - started, error });
      log(`  ✘ ${t.name}\n    ${error.split('\n').slice(0, 6).join('\n    ')}`);
    } finally {
      if (timer) clearTimeout(timer);
    }
  }
  return results;
}

export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${last instanceof Error ? last.message : String(last)})` : ''}`);
}
