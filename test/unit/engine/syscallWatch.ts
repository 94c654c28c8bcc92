/**
 * Watches a child process from the kernel's side with strace: every thread and child it starts
 * (-ff), whatever language the code is in. The engine's native libraries (onnxruntime, LanceDB) do not
 * go through Node's `net`/`dns`, so JS hooks cannot see them; system calls can. Used by the egress
 * tests (test/unit/engine/noEgress.test.ts, test/soak/longSessionEgress.soak.ts).
 *
 * What counts as egress:
 * - a DNS lookup: a packet or connection to port 53, a connection to nscd or systemd-resolved, or
 *   glibc's getaddrinfo reading /etc/hosts (its "files" source, read on every lookup, so a lookup is
 *   seen even where no name server answers). Reading /etc/resolv.conf alone is not one: Node's c-ares
 *   reads it when the `dns` module loads;
 * - any connect() (every family: a local socket to a resolver or a proxy counts too);
 * - any internet socket created (socket(AF_INET/AF_INET6)), the README's "sockets opened";
 * - a file written outside the folders the caller allows (open for writing, create, rename, unlink,
 *   mkdir, link, truncate), the telemetry's device id, event queue and debug log included;
 * - a read of the machine id (/etc/machine-id, /var/lib/dbus/machine-id).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const SYSCALLS = [
  'connect', 'bind', 'socket', 'sendto', 'sendmsg', 'sendmmsg',
  'open', 'openat', 'creat', 'truncate', 'rename', 'renameat', 'renameat2',
  'unlink', 'unlinkat', 'mkdir', 'mkdirat', 'link', 'linkat', 'symlink', 'symlinkat',
];
const ALWAYS_WRITES = new Set(['creat', 'truncate', 'rename', 'renameat', 'renameat2', 'unlink', 'unlinkat', 'mkdir', 'mkdirat', 'link', 'linkat', 'symlink', 'symlinkat']);
const WRITE_FLAGS = /\bO_(WRONLY|RDWR|CREAT|TRUNC|APPEND)\b/;
const RESOLVER_FILES = new Set(['/etc/hosts']);
const RESOLVER_SOCKETS = /\/(nscd\/socket|systemd\/resolve\/)/;
const MACHINE_ID = new Set(['/etc/machine-id', '/var/lib/dbus/machine-id']);

export interface Egress {
  dnsLookups: string[];
  connects: string[];
  inetSockets: string[];
  writesOutside: string[];
  machineIdReads: string[];
}

export interface Traced {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  egress: Egress;
  /** Threads and processes strace followed (one trace file each). */
  tasks: number;
}

let probed: { reason: string | undefined; flags: string[] } | undefined;

function probe(): { reason: string | undefined; flags: string[] } {
  if (probed) return probed;
  if (process.platform !== 'linux') return (probed = { reason: `strace watches Linux system calls; this is ${process.platform}`, flags: [] });
  // --seccomp-bpf stops only the traced calls (far less slow-down); older strace lacks it.
  for (const flags of [['--seccomp-bpf'], []]) {
    const r = spawnSync('strace', ['-f', '-qq', ...flags, '-e', 'trace=openat', '-o', '/dev/null', process.execPath, '-e', '0'], { encoding: 'utf8', timeout: 30_000 });
    if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
      return (probed = { reason: 'strace is not installed (apt-get install -y strace)', flags: [] });
    }
    if (r.status === 0) return (probed = { reason: undefined, flags });
    if (flags.length === 0) {
      const why = (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n')[0];
      return (probed = { reason: `strace cannot trace here (ptrace not permitted?): ${why}`, flags: [] });
    }
  }
  return (probed = { reason: 'unreachable', flags: [] });
}

/** Why the egress tests cannot run here, or undefined when strace works. */
export function straceUnavailable(): string | undefined {
  return probe().reason;
}

/** Environment variables that make onnxruntime switch its telemetry off by itself (telemetry_environment.h). */
const ORT_SELF_SUPPRESSION = [
  'ORT_DISABLE_TELEMETRY', 'ORT_TELEMETRY_DISABLED', 'ORT_RUNNING_UNIT_TESTS',
  'CI', 'TF_BUILD', 'GITHUB_ACTIONS', 'GITLAB_CI', 'CIRCLECI', 'TRAVIS', 'JENKINS_URL', 'CODEBUILD_BUILD_ID',
  'BUILDKITE', 'TEAMCITY_VERSION', 'APPVEYOR', 'BITBUCKET_BUILD_NUMBER', 'SYSTEM_TEAMFOUNDATIONCOLLECTIONURI',
];

/**
 * `base` without the variables that would switch onnxruntime's telemetry off for us, so a test sees
 * what a user's machine does (a CI runner sets CI=true, which alone hides the problem), and with
 * HOME and TMPDIR pointing into `home` so nothing of the user's is touched.
 */
export function userLikeEnv(base: NodeJS.ProcessEnv, home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, HOME: home, XDG_CACHE_HOME: path.join(home, '.cache') };
  for (const name of ORT_SELF_SUPPRESSION) delete env[name];
  return env;
}

/** Splits a strace argument list into the paths it names, each resolved against its dirfd or the cwd. */
function pathsIn(args: string): string[] {
  const paths: string[] = [];
  const re = /(?:(?:AT_FDCWD|-?\d+)<([^>]*)>,\s*)?"((?:[^"\\]|\\.)*)"/g;
  for (const m of args.matchAll(re)) {
    const dir = m[1];
    const p = (m[2] ?? '').replace(/\\"/g, '"');
    paths.push(path.isAbsolute(p) || dir === undefined ? p : path.join(dir, p));
  }
  return paths;
}

function classify(lines: Iterable<string>, allowedWrites: readonly string[], egress: Egress): void {
  const inside = (p: string): boolean => allowedWrites.some((root) => p === root || p.startsWith(root + path.sep));
  for (const line of lines) {
    const m = /^([a-z0-9_]+)\((.*)\)\s+=\s+(.*)$/.exec(line);
    if (!m) continue;
    const [, call = '', args = '', result = ''] = m;
    const short = `${call}(${args.slice(0, 300)}) = ${result.slice(0, 80)}`;
    if (call === 'socket') {
      if (/AF_INET6?\b/.test(args)) egress.inetSockets.push(short);
      continue;
    }
    if (call === 'connect' || call === 'sendto' || call === 'sendmsg' || call === 'sendmmsg' || call === 'bind') {
      const dns = /htons\(53\)/.test(args) || RESOLVER_SOCKETS.test(args);
      if (dns) egress.dnsLookups.push(short);
      if (call === 'connect') egress.connects.push(short);
      continue;
    }
    const paths = pathsIn(args);
    const first = paths[0];
    if (first === undefined) continue;
    if ((call === 'open' || call === 'openat') && !WRITE_FLAGS.test(args)) {
      if (RESOLVER_FILES.has(first)) egress.dnsLookups.push(short);
      if (MACHINE_ID.has(first)) egress.machineIdReads.push(short);
      continue;
    }
    if (!ALWAYS_WRITES.has(call) && !WRITE_FLAGS.test(args)) continue;
    const written = call.startsWith('symlink') ? paths.slice(1) : paths;
    if (written.some((p) => !inside(p) && p !== '/dev/null')) egress.writesOutside.push(short);
  }
}

export interface TraceOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Folders the process may write into (the index folder); everything else counts. */
  allowedWrites: readonly string[];
  timeoutMs?: number;
}

/** Runs `command args` under strace; `done` settles when it exits (never rejects). */
export function traceSyscalls(command: string, args: readonly string[], options: TraceOptions): { child: ChildProcess; done: Promise<Traced> } {
  const { flags } = probe();
  const traceDir = mkdtempSync(path.join(os.tmpdir(), 'atlas-strace-'));
  const child = spawn(
    'strace',
    ['-ff', '-qq', '-y', '-s', '4096', ...flags, '-e', 'signal=none', '-e', `trace=${SYSCALLS.join(',')}`, '-o', path.join(traceDir, 't'), command, ...args],
    { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], timeout: options.timeoutMs },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  // Allowed roots as the kernel names them (strace -y prints resolved paths; /tmp may be a link).
  const allowed = options.allowedWrites.flatMap((p) => {
    try {
      return [p, realpathSync(p)];
    } catch {
      return [p];
    }
  });
  const done = new Promise<Traced>((resolve) =>
    child.on('close', (code, signal) => {
      const egress: Egress = { dnsLookups: [], connects: [], inetSockets: [], writesOutside: [], machineIdReads: [] };
      const files = readdirSync(traceDir);
      for (const f of files) classify(readFileSync(path.join(traceDir, f), 'utf8').split('\n'), allowed, egress);
      rmSync(traceDir, { recursive: true, force: true });
      removeTelemetryDebugLogs(files, egress);
      // strace passes the traced process's exit status on, and re-raises its fatal signal as 128+n.
      resolve({ code, signal, stdout, stderr, egress, tasks: files.length });
    }),
  );
  return { child, done };
}

/**
 * onnxruntime's telemetry leaves /tmp/mat-debug-<pid>.log behind; when a traced process of ours wrote
 * one (a run without the switch), remove it so a failing test does not litter /tmp.
 */
function removeTelemetryDebugLogs(traceFiles: string[], egress: Egress): void {
  const pids = new Set(traceFiles.map((f) => f.split('.').pop()));
  for (const line of egress.writesOutside) {
    const log = /"(\/tmp\/mat-debug-(\d+)\.log)"/.exec(line);
    if (log?.[1] && pids.has(log[2])) rmSync(log[1], { force: true });
  }
}

/** Every egress event in one list, for an assertion message. */
export function egressEvents(e: Egress): string[] {
  return [
    ...e.dnsLookups.map((s) => `dns: ${s}`),
    ...e.connects.map((s) => `connect: ${s}`),
    ...e.inetSockets.map((s) => `socket: ${s}`),
    ...e.writesOutside.map((s) => `write: ${s}`),
    ...e.machineIdReads.map((s) => `machine id: ${s}`),
  ];
}

/** Counts of system calls, by kind (a lookup takes several: /etc/hosts, nscd, one UDP query per address family). */
export function egressFigures(e: Egress): string {
  return `DNS lookup calls ${e.dnsLookups.length}, connect() ${e.connects.length}, internet sockets ${e.inetSockets.length}, writes outside the index ${e.writesOutside.length}, machine-id reads ${e.machineIdReads.length}`;
}
