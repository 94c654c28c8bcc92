/**
 * The model an index uses when no --model is given, kept in `<dbDir>/atlas-settings.json` so it
 * travels with the index rather than with the user's shell. Other keys in that file are preserved:
 * it is a settings file for the index as a whole, not just for this.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as v from 'valibot';
import { claimIndexFolder } from '../client/indexMarker';
import type { ModelTask } from './modelManifest';
import { writeJsonAtomic } from '../node/atomicFile';

export const SETTINGS_FILE = 'atlas-settings.json';

const SettingsSchema = v.looseObject({
  models: v.optional(
    v.looseObject({
      encoder: v.optional(v.string()),
      mlm: v.optional(v.string()),
    }),
  ),
});

function settingsPath(dbDir: string): string {
  return path.join(dbDir, SETTINGS_FILE);
}

// A broken settings file is reported rather than ignored: silently falling back to the default model
// would index into a different table than the user chose.
function readSettings(dbDir: string): v.InferOutput<typeof SettingsSchema> {
  const file = settingsPath(dbDir);
  if (!existsSync(file)) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (e) {
    throw new Error(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const parsed = v.safeParse(SettingsSchema, raw);
  if (!parsed.success) throw new Error(`invalid ${file}: ${parsed.issues.map((i) => `${v.getDotPath(i) ?? '(root)'}: ${i.message}`).join('; ')}`);
  return parsed.output;
}

export function readSelectedModel(dbDir: string, task: ModelTask): string | undefined {
  return readSettings(dbDir).models?.[task];
}

export function writeSelectedModel(dbDir: string, task: ModelTask, id: string): void {
  const settings = readSettings(dbDir);
  const next = { ...settings, models: { ...settings.models, [task]: id } };
  // A model choice makes the folder an index: the same refusal of someone else's folder as opening one.
  claimIndexFolder(dbDir);
  // Write then rename, so a crash never leaves a half-written settings file behind.
  writeJsonAtomic(settingsPath(dbDir), next, { indent: 2 });
}
