/**
 * When the engine may start again after it crashed. A single crash is most likely a one-off (a
 * malformed input, memory pressure), so the next request starts a fresh engine process at once. One
 * that keeps crashing would otherwise be restarted by every hover, each time loading its models: so
 * the second crash within the window waits `baseMs`, each further one four times longer (up to
 * `maxMs`), and after `maxCrashes` within the window nothing restarts it until the user asks
 * (restart()). Crashes older than the window are forgotten. No `vscode` here: unit-tested with a
 * fake clock.
 */
export interface CrashBackoffOptions {
  baseMs?: number;
  maxMs?: number;
  maxCrashes?: number;
  windowMs?: number;
  now?: () => number;
}

/** `retryInMs` undefined: not before the user restarts the engine. */
export type StartPermission = { ok: true } | { ok: false; retryInMs: number | undefined; reason: string };

export class CrashBackoff {
  private crashes: number[] = [];
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly maxCrashes: number;
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(options: CrashBackoffOptions = {}) {
    this.baseMs = options.baseMs ?? 2000;
    this.maxMs = options.maxMs ?? 60_000;
    this.maxCrashes = options.maxCrashes ?? 5;
    this.windowMs = options.windowMs ?? 10 * 60_000;
    this.now = options.now ?? Date.now;
  }

  private recent(): number[] {
    const since = this.now() - this.windowMs;
    this.crashes = this.crashes.filter((t) => t > since);
    return this.crashes;
  }

  /** Crashes within the window, this one included. */
  recordCrash(): number {
    this.recent().push(this.now());
    return this.crashes.length;
  }

  /** Delay after the n-th crash within the window before a start is allowed. */
  delayAfter(n: number): number {
    return n <= 1 ? 0 : Math.min(this.maxMs, this.baseMs * 4 ** (n - 2));
  }

  /** Whether a new engine process may start now. */
  canStart(): StartPermission {
    const recent = this.recent();
    const n = recent.length;
    if (n === 0) return { ok: true };
    if (n >= this.maxCrashes) {
      return { ok: false, retryInMs: undefined, reason: `the engine crashed ${n} times in ${Math.round(this.windowMs / 60_000)} minutes and is not restarted automatically` };
    }
    const wait = recent[n - 1]! + this.delayAfter(n) - this.now();
    if (wait <= 0) return { ok: true };
    return { ok: false, retryInMs: wait, reason: `the engine crashed ${n} times recently; it restarts in ${Math.ceil(wait / 1000)} s` };
  }

  /** The user asked for a restart: forget the crashes. */
  reset(): void {
    this.crashes = [];
  }
}
