/**
 * A manifest describing the tiny fixture model, served by the fake hub; shared by the models tests.
 */
import path from 'node:path';
import { loadManifest } from '../../../src/engine/models/modelManifest';
import type { Manifest } from '../../../src/engine/models/modelManifest';
import { packageRoot } from '../../../src/engine/node/packageRoot';
import { readFolder, sha256 } from './fakeHub';

export const REPO = 'test-org/tiny-encoder';
export const REVISION = '0123456789abcdef0123456789abcdef01234567';
export const MODEL_ID = 'tiny-encoder';
export const MODEL_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'];

export function fixtureFiles(): Map<string, Buffer> {
  const all = readFolder(path.join(packageRoot(), 'test', 'fixtures', 'models', 'tiny-encoder'));
  return new Map([...all].filter(([k]) => MODEL_FILES.includes(k)));
}

export function fixtureFile(name: string): Buffer {
  const b = fixtureFiles().get(name);
  if (!b) throw new Error(`no fixture file ${name}`);
  return b;
}

/** The fixture model as a manifest entry; `pinned` adds sha256 and size, `extra` lists files the hub lacks. */
export function testManifest(opts: { pinned?: boolean; extra?: string[]; revision?: string } = {}): Manifest {
  const files = fixtureFiles();
  return loadManifest({
    version: 1,
    models: [
      { id: 'atlas-mini-encoder', task: 'encoder', bundled: true, dims: 128, maxTokens: 256, pooling: 'mean', licence: 'MIT' },
      {
        id: MODEL_ID,
        task: 'encoder',
        bundled: false,
        dims: 8,
        maxTokens: 64,
        pooling: 'cls',
        queryPrefix: 'query: ',
        documentPrefix: 'passage: ',
        licence: 'MIT',
        source: { repo: REPO, revision: opts.revision ?? REVISION },
        files: [
          ...MODEL_FILES.map((p) => {
            const bytes = files.get(p) ?? Buffer.alloc(0);
            return opts.pinned ? { path: p, size: bytes.length, sha256: sha256(bytes) } : { path: p };
          }),
          ...(opts.extra ?? []).map((p) => ({ path: p })),
        ],
      },
    ],
  });
}
