/**
 * The fake hub serving the fixture model, shared by the download tests: one hub per test file, and
 * before every test an empty model cache and the untouched fixture upstream (a test may tamper with it).
 */
import { after, afterEach, before, beforeEach } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFakeHub, type FakeHub } from './fakeHub';
import { fixtureFiles, REPO, REVISION } from './testManifest';

export interface FixtureHub {
  readonly hub: FakeHub;
  /** A fresh, empty model cache folder for the current test. */
  readonly cacheDir: string;
}

export function useFixtureHub(tmpPrefix: string): FixtureHub {
  const state: { hub?: FakeHub; cacheDir?: string } = {};
  before(async () => {
    state.hub = await startFakeHub([{ repo: REPO, revision: REVISION, files: fixtureFiles() }]);
  });
  after(async () => {
    await state.hub?.close();
  });
  beforeEach(() => {
    state.cacheDir = mkdtempSync(path.join(os.tmpdir(), tmpPrefix));
    const hub = state.hub!;
    hub.log.length = 0;
    for (const [file, bytes] of fixtureFiles()) hub.setFile(REPO, REVISION, file, bytes);
  });
  afterEach(() => {
    if (state.cacheDir) rmSync(state.cacheDir, { recursive: true, force: true });
  });
  return {
    get hub(): FakeHub {
      if (!state.hub) throw new Error('the fixture hub is used outside a test');
      return state.hub;
    },
    get cacheDir(): string {
      if (!state.cacheDir) throw new Error('the model cache is used outside a test');
      return state.cacheDir;
    },
  };
}
