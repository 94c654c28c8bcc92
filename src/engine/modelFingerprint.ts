/**
 * A short fingerprint of a model's weights. It names the vector table, so retrained or re-downloaded
 * weights under the same id get a fresh table instead of mixing with vectors from the old ones.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export function modelFingerprint(onnxPath: string): string {
  return createHash('sha256').update(readFileSync(onnxPath)).digest('hex').slice(0, 10);
}
