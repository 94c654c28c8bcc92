/**
 * TreeItem and MarkdownString for the fake `vscode` module (./fakeVscode.ts), as VS Code defines the
 * parts the Papers tree uses. Import before the module under test: esbuild copies the module's
 * properties when a bundled module first imports `vscode`.
 */
import { vscodeFake } from './fakeVscode';

Object.assign(vscodeFake, {
  TreeItem: class {
    id?: string;
    description?: string;
    tooltip?: unknown;
    iconPath?: { id: string };
    constructor(
      readonly label: string,
      readonly collapsibleState: number,
    ) {}
  },
  MarkdownString: class {
    value = '';
    constructor(value = '', readonly supportThemeIcons = false) {
      this.value = value;
    }
    appendMarkdown(md: string): this {
      this.value += md;
      return this;
    }
  },
});

