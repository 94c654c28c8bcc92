/** package.json of the extension, read the way VS Code reads it, for tests that compare code with the manifest. */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface ManifestCommand {
  command: string;
  title: string;
  category?: string;
}

export interface ManifestProperty {
  type?: string | string[];
  default?: unknown;
  description?: string;
  markdownDescription?: string;
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  [key: string]: unknown;
}

export interface Manifest {
  activationEvents: string[];
  contributes: {
    commands: ManifestCommand[];
    menus: Record<string, { command: string }[]>;
    viewsWelcome: { view: string; contents: string; when?: string }[];
    configuration: { properties: Record<string, ManifestProperty> };
  };
}

function isPaperAtlasPackage(dir: string): boolean {
  try {
    return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string }).name === 'paper-atlas';
  } catch {
    return false;
  }
}

export function packageRoot(): string {
  let dir = __dirname;
  while (!isPaperAtlasPackage(dir)) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('package.json of paper-atlas not found above the test');
    dir = up;
  }
  return dir;
}

export function manifest(): Manifest {
  return JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as Manifest;
}
