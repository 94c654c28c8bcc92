/**
 * The held-out split the bundled models never saw in training (models/training/split.py):
 * arXiv listings with `listed >= 2026-06-01`. Read straight from ../shared/data.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { packageRoot } from '../src/engine/node/packageRoot';

export const ARXIV_HELD_OUT_FROM = '2026-06-01';

export interface ArxivListing {
  id: string;
  title: string;
  abstract: string;
  categories: string[];
  listed: string;
}

/** ../shared/data beside the project, or $PAPER_ATLAS_SHARED_DATA (a git worktree lives elsewhere). */
export function sharedDataDir(): string {
  return process.env.PAPER_ATLAS_SHARED_DATA ?? path.join(packageRoot(), '..', 'shared', 'data');
}

/** All listings, or undefined (with the reason printed) when ../shared/data is absent. */
export function readArxivListings(): ArxivListing[] | undefined {
  const file = path.join(sharedDataDir(), 'arxiv', 'arxiv-listings.jsonl.gz');
  if (!existsSync(file)) {
    console.log(`skipped: ${file} is absent (the shared data folder is not on this machine)`);
    return undefined;
  }
  return readJsonLinesGz<ArxivListing>(file);
}

/** The records of a gzipped JSON Lines file of the shared data. */
export function readJsonLinesGz<T>(file: string): T[] {
  return gunzipSync(readFileSync(file))
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => JSON.parse(l) as T);
}

export function heldOutArxiv(all: readonly ArxivListing[]): ArxivListing[] {
  return all.filter((p) => p.listed >= ARXIV_HELD_OUT_FROM && p.abstract.trim().length > 0);
}
