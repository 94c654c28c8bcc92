/**
 * A short fingerprint of a model's weights. It names the vector table, so retrained or re-downloaded
 * weights under the same id get a fresh table instead of mixing with vectors from the old ones.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** `settings`: anything besides the weights that changes the model's output (e.g. the encoder's token budget). */
export function modelFingerprint(onnxPath: string, settings = ''): string {
  const hash = createHash('sha256').update(readFileSync(onnxPath));
  if (settings) hash.update(settings);
  return hash.digest('hex').slice(0, 10);
}
