/**
 * Every command the extension contributes, in one typed table. package.json's `contributes.commands`
 * must list exactly these ids with these titles (test/unit/host/commandTable.test.ts compares them),
 * so a renamed command cannot silently lose its palette entry or its handler.
 *
 * Ids stay stable when a title changes (users' keybindings and links name the id): `reindexLibrary`
 * is shown as "Update Index" (index new and changed library files, drop removed ones) and
 * `rebuildIndex` as "Rebuild Index from Scratch" (forget every embedding, then index everything).
 */
import { uriComponent } from '../../core/displayText';

export const COMMAND_CATEGORY = 'Paper Atlas';

export const Commands = {
  searchPapers: { id: 'paperAtlas.searchPapers', title: 'Search Papers…' },
  showRelatedWork: { id: 'paperAtlas.showRelatedWork', title: 'Show Related Work' },
  openAtlas: { id: 'paperAtlas.openAtlas', title: 'Open Atlas' },
  reindexLibrary: { id: 'paperAtlas.reindexLibrary', title: 'Update Index' },
  rebuildIndex: { id: 'paperAtlas.rebuildIndex', title: 'Rebuild Index from Scratch' },
  selectModel: { id: 'paperAtlas.selectModel', title: 'Select Model…' },
  downloadModel: { id: 'paperAtlas.downloadModel', title: 'Download Model…' },
  showKeywordHighlights: { id: 'paperAtlas.showKeywordHighlights', title: 'Show Keyword Highlights' },
  showLog: { id: 'paperAtlas.showLog', title: 'Show Log' },
  groupByTopic: { id: 'paperAtlas.groupByTopic', title: 'Group Papers by Topic' },
  groupByFile: { id: 'paperAtlas.groupByFile', title: 'Group Papers by Source File' },
  groupByYear: { id: 'paperAtlas.groupByYear', title: 'Group Papers by Year' },
  openInAtlas: { id: 'paperAtlas.openInAtlas', title: 'Open in Atlas' },
  goToSource: { id: 'paperAtlas.goToSource', title: 'Go to Source' },
  copyCitationKey: { id: 'paperAtlas.copyCitationKey', title: 'Copy Citation Key' },
  insertCitation: { id: 'paperAtlas.insertCitation', title: 'Insert Citation' },
  suggestCitations: { id: 'paperAtlas.suggestCitations', title: 'Suggest Citations for This Paragraph' },
} as const satisfies Record<string, { id: `paperAtlas.${string}`; title: string }>;

export type CommandName = keyof typeof Commands;
export type CommandId = (typeof Commands)[CommandName]['id'];

/**
 * Command URI for Markdown links (hovers): `command:id?args`. The arguments are paper ids and the like
 * (untrusted), so they are encoded for a Markdown link destination, not only for a URI.
 */
export function commandUri(name: CommandName, args: readonly unknown[]): string {
  return `command:${Commands[name].id}?${uriComponent(JSON.stringify(args))}`;
}
