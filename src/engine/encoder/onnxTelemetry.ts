/**
 * onnxruntime-node 1.30 ships Microsoft's 1DS telemetry switched on in its Linux and macOS builds.
 * In every process that loads it, it writes ~/.cache/Microsoft/DeveloperTools/.onnxruntime/{deviceid,
 * onnxruntime.db} (queued events: model file name, CPU, OS, hashed machine id) and /tmp/mat-debug-<pid>.log,
 * reads /etc/machine-id and /proc/self/cmdline (recursively, on the calling thread's stack: a command line
 * of ~15 KB overflows the engine worker's 4 MB stack and the CLI dies of SIGSEGV), and ~10 s after start,
 * then again every ~10 s, resolves mobile.events.data.microsoft.com to upload. Paper Atlas promises that
 * nothing leaves the machine, so it is switched off here, once, for every process.
 *
 * The switch: ORT_DISABLE_TELEMETRY=1 in the OS environment before onnxruntime initialises. It is the
 * runtime opt-out documented in onnxruntime's docs/Privacy.md ("Disabling Telemetry": prevents the uploader,
 * the events and the persistent device identifier for the process lifetime), read by
 * IsTelemetryDisabledByEnvironment() in onnxruntime/core/platform/telemetry_environment.h, and checked
 * first thing in PosixTelemetry::Initialize() (core/platform/posix/telemetry.cc), which then returns before
 * any of the above happens. The 1.30.0 binary we ship names exactly this variable (`strings
 * libonnxruntime.so.1`: ORT_DISABLE_TELEMETRY, beside the CI variables and ORT_RUNNING_UNIT_TESTS that also
 * suppress it; an earlier draft upstream spelled it ORT_TELEMETRY_DISABLED, which this binary does not read).
 * The C API's DisableTelemetryEvents() is not enough: it needs an OrtEnv, and creating one already logs.
 * Measured with strace (test/unit/engine/noEgress.test.ts, test/soak/longSessionEgress.soak.ts, figures in
 * the README): without the switch an engine writes those files and looks up the host; with it, none of that.
 *
 * Native code reads the variable with getenv(), i.e. from the process's real environment. The engine
 * runs in its own process: EngineClient forks it with the switch already in its environment
 * (engineEnvironment.ts), and src/engine/encoder/onnxRuntime.ts (the only module that imports onnxruntime-node)
 * imports this module first, which sets it again on the main thread, so a script that loads
 * onnxruntime directly (bench, tests) is covered too. A worker thread's `process.env` is a private copy
 * that native code never sees: a worker can only check that its process set the switch before it
 * started, and refuses to go on otherwise. Child processes inherit it.
 */
import { isMainThread } from 'node:worker_threads';
import { ONNX_TELEMETRY_OFF } from '../client/engineEnvironment';

/** The environment onnxruntime must see: read by the tests that check the switch is in effect. */
export { ONNX_TELEMETRY_OFF };

/**
 * Sets the switch in this process's environment (on the main thread). In a worker thread it can only
 * check that the main thread set it before starting the worker (the worker's env is a copy taken at
 * start), and refuses to go on when it did not: onnxruntime would phone home.
 */
export function disableOnnxTelemetry(): void {
  for (const [name, value] of Object.entries(ONNX_TELEMETRY_OFF)) {
    if (isMainThread) {
      process.env[name] = value;
    } else if (process.env[name] !== value) {
      throw new Error(
        `onnxruntime telemetry is not switched off in this process (${name}=${process.env[name] ?? ''}): ` +
          'start the engine through EngineClient, which forks it with the switch set',
      );
    }
  }
}

disableOnnxTelemetry();
