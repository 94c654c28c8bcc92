/**
 * The "Papers" view: papers grouped by topic label (falling back to source file while the engine has
 * no topic map), by source file, or by year. Reads only the catalogue, so it never waits on the engine.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { markdownText } from '../../core/displayText';
import { Commands } from '../commands/commandTable';
import { authorsShort, type CatalogPaper, type PaperCatalog } from '../library/paperCatalog';
import type { AtlasContext } from '../atlasContext';

export type Grouping = 'topic' | 'file' | 'year';

export interface GroupNode {
  kind: 'group';
  key: string;
  label: string;
  description: string;
  papers: CatalogPaper[];
}

export interface PaperNode {
  kind: 'paper';
  paper: CatalogPaper;
  parentKey: string;
}

export type PaperTreeNode = GroupNode | PaperNode;

const GROUPING_KEY = 'paperAtlas.grouping';

function relativeFile(file: string): string {
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file));
  return folder ? path.relative(folder.uri.fsPath, file) : path.basename(file);
}

export function paperDescription(p: CatalogPaper): string {
  const year = p.year !== undefined ? String(p.year) : undefined;
  // Title-only notes and list entries have no authors: name their file instead of "unknown authors".
  const who = p.authors.length > 0 ? authorsShort(p.authors) : p.sources[0] ? path.basename(p.sources[0].file) : undefined;
  return [who, year].filter(Boolean).join(' · ');
}

export class PaperTreeProvider implements vscode.TreeDataProvider<PaperTreeNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<PaperTreeNode | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private groups: GroupNode[] | undefined;
  private readonly nodes = new Map<string, PaperNode>();

  constructor(
    private readonly catalog: PaperCatalog,
    private _grouping: Grouping,
  ) {}

  get grouping(): Grouping {
    return this._grouping;
  }

  /** The grouping actually shown: topic grouping needs a topic map. */
  get effectiveGrouping(): Grouping {
    return this._grouping === 'topic' && !this.catalog.topicMap ? 'file' : this._grouping;
  }

  setGrouping(g: Grouping): void {
    this._grouping = g;
    this.refresh();
  }

  refresh(): void {
    this.groups = undefined;
    this.changeEmitter.fire(undefined);
  }

  private buildGroups(): GroupNode[] {
    const groups = new Map<string, GroupNode>();
    const add = (key: string, label: string, p: CatalogPaper): void => {
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { kind: 'group', key, label, description: '', papers: [] }));
      g.papers.push(p);
    };
    const grouping = this.effectiveGrouping;
    for (const p of this.catalog.all()) {
      if (grouping === 'topic') {
        const t = this.catalog.topic(p.id);
        add(t ? `topic:${t.id}` : 'topic:none', t ? t.label : 'Unclustered', p);
      } else if (grouping === 'year') add(`year:${p.year ?? 'none'}`, p.year !== undefined ? String(p.year) : 'No year', p);
      else {
        const file = p.sources[0]?.file;
        add(`file:${file ?? 'none'}`, file ? relativeFile(file) : 'Unknown source', p);
      }
    }
    const list = [...groups.values()];
    for (const g of list) {
      g.papers.sort((a, b) => a.title.localeCompare(b.title));
      // Topic labels already are keyphrases: the description only counts.
      g.description = `${g.papers.length} ${g.papers.length === 1 ? 'paper' : 'papers'}`;
    }
    // Newest year first; papers without a year are the least informative group, so it comes last.
    if (grouping === 'year') list.sort((a, b) => yearOf(b) - yearOf(a));
    else if (grouping === 'topic') list.sort((a, b) => b.papers.length - a.papers.length);
    else list.sort((a, b) => a.label.localeCompare(b.label));
    this.nodes.clear();
    for (const g of list) for (const p of g.papers) if (!this.nodes.has(p.id)) this.nodes.set(p.id, { kind: 'paper', paper: p, parentKey: g.key });
    return list;
  }

  getChildren(element?: PaperTreeNode): PaperTreeNode[] {
    if (this.catalog.size === 0) return [];
    this.groups ??= this.buildGroups();
    if (!element) return this.groups;
    if (element.kind === 'group') return element.papers.map((p) => ({ kind: 'paper', paper: p, parentKey: element.key }));
    return [];
  }

  getParent(element: PaperTreeNode): PaperTreeNode | undefined {
    if (element.kind === 'group') return undefined;
    this.groups ??= this.buildGroups();
    return this.groups.find((g) => g.key === element.parentKey);
  }

  /** The node of a paper, for reveal(). */
  nodeOf(id: string): PaperNode | undefined {
    this.groups ??= this.buildGroups();
    return this.nodes.get(id);
  }

  getTreeItem(element: PaperTreeNode): vscode.TreeItem {
    if (element.kind === 'group') {
      const item = new vscode.TreeItem(element.label, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = element.key;
      item.description = element.description;
      item.contextValue = 'group';
      item.iconPath = new vscode.ThemeIcon(groupIcon(element.key));
      return item;
    }
    const p = element.paper;
    const item = new vscode.TreeItem(p.title, vscode.TreeItemCollapsibleState.None);
    item.id = `${element.parentKey}/${p.id}`;
    item.description = paperDescription(p);
    item.contextValue = 'paper';
    item.iconPath = new vscode.ThemeIcon('book');
    // No theme icons: the tooltip holds only paper text, and a key in a code span must show `$(…)` as written.
    const tip = new vscode.MarkdownString(undefined, false);
    tip.appendMarkdown(`**${markdownText(p.title)}**\n\n`);
    tip.appendMarkdown(`${markdownText(p.authors.join(', ') || 'Unknown authors')}${p.year !== undefined ? ` · ${p.year}` : ''}${p.venue ? ` · *${markdownText(p.venue)}*` : ''}\n\n`);
    if (p.abstractStart) tip.appendMarkdown(`${markdownText(p.abstractStart)}\n\n`);
    // A code span shows its text literally: escaping the key inside it would show the backslashes.
    tip.appendMarkdown(markdownCodeSpan(p.id));
    item.tooltip = tip;
    item.accessibilityInformation = { label: `${p.title}, ${paperDescription(p)}` };
    item.command = { command: Commands.openInAtlas.id, title: Commands.openInAtlas.title, arguments: [p.id] };
    return item;
  }

  dispose(): void {
    this.changeEmitter.dispose();
  }
}

/** Topic groups are tagged by their keyphrases; `symbol-namespace` ({ }) read as a code namespace. */
export const GROUP_ICONS = { topic: 'tag', year: 'calendar', file: 'file' } as const;

function groupIcon(key: string): string {
  return key.startsWith('topic:') ? GROUP_ICONS.topic : key.startsWith('year:') ? GROUP_ICONS.year : GROUP_ICONS.file;
}

function yearOf(g: GroupNode): number {
  const y = Number(g.key.slice('year:'.length));
  return Number.isFinite(y) ? y : Number.NEGATIVE_INFINITY;
}

/** `text` as an inline code span: a fence longer than any backtick run inside, padded when needed. */
export function markdownCodeSpan(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text.replace(/\r?\n/g, ' ')}${pad}${fence}`;
}

/** Registers the Papers view and its grouping toggles. Returns the view for reveal(). */
export function registerPaperTree(ctx: AtlasContext): { disposable: vscode.Disposable; view: vscode.TreeView<PaperTreeNode>; provider: PaperTreeProvider } {
  const stored = ctx.extension.workspaceState.get<Grouping>(GROUPING_KEY, 'topic');
  const provider = new PaperTreeProvider(ctx.catalog, stored);
  const view = vscode.window.createTreeView('paperAtlas.papers', { treeDataProvider: provider, showCollapseAll: true });
  const setGrouping = async (g: Grouping): Promise<void> => {
    provider.setGrouping(g);
    await ctx.extension.workspaceState.update(GROUPING_KEY, g);
    await vscode.commands.executeCommand('setContext', 'paperAtlas.grouping', g);
  };
  const updateMessage = (): void => {
    view.message =
      provider.grouping === 'topic' && !ctx.catalog.topicMap && ctx.catalog.size > 0 ? 'Topics are not available yet; papers are grouped by source file.' : undefined;
  };
  void vscode.commands.executeCommand('setContext', 'paperAtlas.grouping', stored);
  const disposable = vscode.Disposable.from(
    provider,
    view,
    ctx.catalog.onDidChange(() => {
      provider.refresh();
      updateMessage();
    }),
    vscode.commands.registerCommand(Commands.groupByTopic.id, () => setGrouping('topic').then(updateMessage)),
    vscode.commands.registerCommand(Commands.groupByFile.id, () => setGrouping('file').then(updateMessage)),
    vscode.commands.registerCommand(Commands.groupByYear.id, () => setGrouping('year').then(updateMessage)),
  );
  return { disposable, view, provider };
}
