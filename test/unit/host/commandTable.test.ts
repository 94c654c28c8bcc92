import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COMMAND_CATEGORY, Commands } from '../../../src/host/commands/commandTable';
import { manifest } from './manifest';

test('package.json contributes exactly the commands of the typed table', () => {
  const contributed = manifest().contributes.commands;
  const table = Object.values(Commands);
  assert.deepEqual(contributed.map((c) => c.command).sort(), table.map((c) => c.id).sort());
  for (const c of contributed) {
    const entry = table.find((t) => t.id === c.command);
    assert.equal(c.title, entry?.title, `title of ${c.command}`);
    assert.equal(c.category, COMMAND_CATEGORY, `category of ${c.command}`);
  }
});

test('command ids read paperAtlas.<verb><Noun>', () => {
  for (const { id } of Object.values(Commands)) assert.match(id, /^paperAtlas\.[a-z]+[A-Z][A-Za-z]*$/, id);
});

test('menus and activation events name only known commands', () => {
  const m = manifest();
  const ids = new Set<string>(Object.values(Commands).map((c) => c.id));
  for (const [menu, items] of Object.entries(m.contributes.menus)) for (const item of items) assert.ok(ids.has(item.command), `${menu}: ${item.command}`);
  for (const ev of m.activationEvents) if (ev.startsWith('onCommand:')) assert.ok(ids.has(ev.slice('onCommand:'.length)), ev);
});

test('index commands say what they do, and welcome-view buttons carry the title of the command they run', () => {
  // "Reindex", "Index Workspace" and "Rebuild Index" named one action twice and the other vaguely.
  assert.equal(Commands.reindexLibrary.title, 'Update Index');
  assert.equal(Commands.rebuildIndex.title, 'Rebuild Index from Scratch');
  const ids = new Map<string, string>(Object.values(Commands).map((c) => [c.id, c.title]));
  const links = manifest().contributes.viewsWelcome.flatMap((w) => [...w.contents.matchAll(/\[([^\]]+)\]\(command:([\w.]+)\)/g)]);
  assert.ok(links.length > 0);
  for (const [, label, id] of links) {
    assert.ok(id && ids.has(id), `welcome button runs unknown ${id}`);
    assert.equal(label, ids.get(id!)?.replace(/…$/, ''), `the welcome button for ${id}`);
  }
});
