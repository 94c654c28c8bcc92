/**
 * Picks the onnxruntime execution provider from a preference list. Each provider is tried on its own
 * (a list passed to ORT falls back silently), so every failure is logged with its reason and the
 * provider that really runs is known and reported.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as ort from './onnxRuntime';

// onnxruntime prints its own red error lines when a provider library is missing; we log the reason
// ourselves (one line, in our log), so keep its console for fatal errors only.
ort.env.logLevel = 'fatal';

export type ProviderName = 'cuda' | 'dml' | 'tensorrt' | 'cpu' | 'coreml' | 'webgpu';

export interface ProviderAttempt {
  provider: ProviderName;
  ok: boolean;
  reason?: string;
}

export interface OpenedSession {
  session: ort.InferenceSession;
  provider: ProviderName;
  attempts: ProviderAttempt[];
}

/** `auto` = DirectML on Windows, CUDA where its libraries load, then CPU. */
export function resolveProviderPreference(preference: readonly string[] | 'auto'): ProviderName[] {
  const list: string[] =
    preference === 'auto' || (preference.length === 1 && preference[0] === 'auto')
      ? [...(process.platform === 'win32' ? ['dml'] : []), ...(process.platform === 'darwin' ? [] : ['cuda']), 'cpu']
      : [...preference];
  const known: ProviderName[] = ['cuda', 'dml', 'tensorrt', 'cpu', 'coreml', 'webgpu'];
  const out: ProviderName[] = [];
  for (const p of list) {
    const name = p.trim().toLowerCase();
    if (!known.includes(name as ProviderName)) throw new Error(`unknown execution provider "${p}" (known: ${known.join(', ')}, auto)`);
    if (!out.includes(name as ProviderName)) out.push(name as ProviderName);
  }
  // CPU is always the last resort: a user asking for cuda on a laptop should still get results.
  if (!out.includes('cpu')) out.push('cpu');
  return out;
}

export function supportedBackends(): string[] {
  try {
    return ort.listSupportedBackends().map((b) => b.name);
  } catch {
    return ['cpu'];
  }
}

/** PAPER_ATLAS_ORT_SPIN=1 lets onnxruntime's pool threads spin-wait (faster only on otherwise idle cores). */
const SPIN_WAIT = process.env.PAPER_ATLAS_ORT_SPIN === '1';

export async function openSessionWithFallback(
  modelPath: string | Uint8Array,
  preference: readonly ProviderName[],
  options: { intraOpNumThreads?: number; log?: (line: string) => void } = {},
): Promise<OpenedSession> {
  const attempts: ProviderAttempt[] = [];
  const available = supportedBackends();
  for (const provider of preference) {
    if (provider !== 'cpu' && !available.includes(provider)) {
      const reason = `not in this onnxruntime-node build (has: ${available.join(', ')})`;
      attempts.push({ provider, ok: false, reason });
      options.log?.(`execution provider ${provider}: ${reason}`);
      continue;
    }
    const missing = missingProviderLibrary(provider);
    if (missing) {
      attempts.push({ provider, ok: false, reason: missing });
      options.log?.(`execution provider ${provider}: ${missing}`);
      continue;
    }
    try {
      const sessionOptions: ort.InferenceSession.SessionOptions = {
        executionProviders: [provider],
        graphOptimizationLevel: 'all',
        logSeverityLevel: 4,
        ...(options.intraOpNumThreads ? { intraOpNumThreads: options.intraOpNumThreads, interOpNumThreads: 1 } : {}),
        // Pool threads sleep instead of spinning between ops. With another busy process on the cores
        // (the normal case on a laptop) spinning threads fight it for every barrier: bundled int8 on
        // 2 threads ran 250/s spinning vs 375/s not (and 410/s on 1 thread) with one core taken.
        extra: { session: { intra_op: { allow_spinning: SPIN_WAIT ? '1' : '0' } } },
      };
      const session =
        typeof modelPath === 'string'
          ? await ort.InferenceSession.create(modelPath, sessionOptions)
          : await ort.InferenceSession.create(modelPath, sessionOptions);
      attempts.push({ provider, ok: true });
      options.log?.(`execution provider ${provider}: active`);
      return { session, provider, attempts };
    } catch (e) {
      const reason = firstLine(e);
      attempts.push({ provider, ok: false, reason });
      options.log?.(`execution provider ${provider} failed: ${reason}`);
    }
  }
  // A file that is not a readable ONNX graph fails on every provider alike; say what to do about it.
  const damaged = attempts.some((a) => /protobuf parsing failed|invalid model|no graph|model_path must not be empty/i.test(a.reason ?? ''))
    ? ' (the model file is damaged or not an ONNX model: download it again or choose another model)'
    : '';
  const reasons = attempts.map((a) => `${a.provider}: ${(a.reason ?? 'failed').replace(/\.$/, '')}`).join('; ');
  throw new Error(`no execution provider could load the model: ${reasons}${damaged}`);
}

/**
 * onnxruntime-node loads CUDA/TensorRT from provider libraries next to its binding; its install
 * script fetches them, and where they are absent (offline installs, this package's default) a load
 * attempt can only fail. Saying so is clearer than the loader's error.
 */
function missingProviderLibrary(provider: ProviderName): string | undefined {
  const library = { cuda: 'libonnxruntime_providers_cuda.so', tensorrt: 'libonnxruntime_providers_tensorrt.so' }[provider as string];
  if (!library || process.platform !== 'linux') return undefined;
  let bindingDir: string;
  try {
    bindingDir = path.dirname(require.resolve(`onnxruntime-node/bin/napi-v6/linux/${process.arch}/onnxruntime_binding.node`));
  } catch {
    return undefined;
  }
  return existsSync(path.join(bindingDir, library))
    ? undefined
    : `${library} is not installed next to onnxruntime-node (${bindingDir}); install the CUDA build of onnxruntime-node and CUDA 12 + cuDNN 9 to use the GPU`;
}

function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n').find((l) => l.trim().length > 0)?.trim().slice(0, 300) ?? 'unknown error';
}
