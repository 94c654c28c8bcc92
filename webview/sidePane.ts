/**
 * The Atlas panel's side pane: the selected paper's title, authors, ids and actions, its keyphrase
 * chips, its abstract with the keyword heat-map (src/shared/keywordTint.ts decides which words are
 * tinted), and its related work with score bars. What a click does is the caller's (SidePaneActions).
 */
import { abstractStart } from './atlasViewRules';
import { el } from './dom';
import { foldNestedPhrases } from '../src/shared/keyphraseChips';
import { countWords, tintLevels } from '../src/shared/keywordTint';
import type { HostToPanel, PanelAction } from '../src/shared/panelProtocol';

export interface SidePaneActions {
  /** A button of the paper's actions (go to source, copy key, related). */
  action(action: PanelAction, id: string): void;
  /** A related paper was clicked. */
  openRelated(id: string): void;
}

function actionButton(label: string, icon: string, onClick: () => void): HTMLElement {
  const b = el('vscode-button' as 'button', { icon, secondary: '', 'aria-label': label, 'data-focus-key': `action:${label}` }, label);
  b.addEventListener('click', onClick);
  return b;
}

function heatMap(text: string, spans: { start: number; end: number; score: number }[], from = 0): DocumentFragment {
  const frag = document.createDocumentFragment();
  // src/shared/keywordTint.ts: only the strongest content words, at most ~15% of the words.
  let at = from;
  for (const s of tintLevels(spans, countWords(text, from), text.length, from)) {
    frag.append(text.slice(at, s.start));
    const m = el('mark', { class: 'heat' }, text.slice(s.start, s.end));
    m.style.setProperty('--heat', s.level.toFixed(2));
    frag.append(m);
    at = s.end;
  }
  frag.append(text.slice(at));
  return frag;
}

/** The placeholder shown until a paper is selected. */
export function showNoPaper(side: HTMLElement): void {
  side.append(el('p', { class: 'empty' }, 'Select a point on the map to see the paper, its keywords and related work.'));
}

/** The selected paper: title, meta, actions, keyphrase chips, abstract with its keyword heat-map, related work. */
export function showPaper(side: HTMLElement, msg: Extract<HostToPanel, { type: 'paper' }>, actions: SidePaneActions): void {
  const p = msg.paper;
  const meta = [p.authors.join(', ') || 'Unknown authors', p.year !== undefined ? String(p.year) : '', p.venue ?? ''].filter(Boolean).join(' · ');
  const ids = [p.doi ? `DOI ${p.doi}` : '', p.arxivId ? `arXiv ${p.arxivId}` : '', `key ${p.id}`].filter(Boolean).join(' · ');
  const abstract = el('div', { class: 'abstract' });
  if (msg.keywords && msg.keywords.spans.length > 0) {
    // The keyword text is "title. abstract"; the title is the heading already.
    abstract.append(el('p', { 'aria-hidden': 'true' }, heatMap(msg.keywords.text, msg.keywords.spans, abstractStart(msg.keywords.text, p.title))));
    abstract.append(el('p', { class: 'sr-only' }, `${p.abstract || p.title} Top keywords: ${msg.keywords.top.join(', ')}.`));
  } else abstract.append(el('p', {}, p.abstract || 'No abstract.'));
  const keywords = msg.keywords?.top.length ? msg.keywords.top : p.keywords;
  const related = el('ol', { class: 'related' });
  for (const r of msg.related) {
    const b = el('button', { type: 'button', class: 'related-item', title: r.title, 'data-focus-key': `related:${r.id}` }, el('span', { class: 'related-title' }, r.title), el('span', { class: 'score' }, r.score.toFixed(3)));
    const bar = el('span', { class: 'score-bar', 'aria-hidden': 'true' });
    bar.style.setProperty('--score', String(Math.max(0, Math.min(1, r.score / Math.max(1e-9, msg.related[0]?.score ?? 1)))));
    b.append(bar);
    b.addEventListener('click', () => actions.openRelated(r.id));
    related.append(el('li', {}, b));
  }
  const another = side.dataset.paperId !== p.id;
  side.dataset.paperId = p.id;
  // The pane is drawn again when the heat-map arrives: a keyboard user on one of its buttons stays there.
  const focusKey = !another && side.contains(document.activeElement) ? (document.activeElement as HTMLElement).dataset.focusKey : undefined;
  side.replaceChildren(
    el('h2', { id: 'paper-title' }, p.title),
    el('p', { class: 'meta' }, meta),
    p.topic ? el('p', { class: 'topic' }, el('span', { class: 'codicon codicon-tag', 'aria-hidden': 'true' }), ` ${p.topic}`) : '',
    el('p', { class: 'ids' }, ids),
    el(
      'div',
      { class: 'actions', role: 'group', 'aria-label': 'Paper actions' },
      actionButton('Go to source', 'go-to-file', () => actions.action('goToSource', p.id)),
      actionButton('Copy key', 'copy', () => actions.action('copyKey', p.id)),
      actionButton('Related', 'references', () => actions.action('showRelated', p.id)),
    ),
    p.source ? el('p', { class: 'source' }, el('span', { class: 'codicon codicon-file', 'aria-hidden': 'true' }), ` ${p.source}`) : '',
    keywords.length ? el('div', { class: 'chips', 'aria-label': 'Keywords' }, ...foldNestedPhrases(keywords, 8).map((k) => el('vscode-badge' as 'span', { variant: 'default' }, k))) : '',
    // Beside the heading, so the pane does not move when the heat-map arrives and the note goes.
    el('h3', {}, 'Abstract', msg.keywordsPending ? el('span', { class: 'pending', role: 'status' }, el('span', { class: 'codicon codicon-loading codicon-modifier-spin', 'aria-hidden': 'true' }), ' Scoring keywords…') : ''),
    abstract,
    el('h3', {}, `Related work (${msg.related.length})`),
    related,
  );
  // A newly selected paper starts at its title, not at the scroll position of the previous one.
  if (another) side.scrollTop = 0;
  if (focusKey) [...side.querySelectorAll<HTMLElement>('[data-focus-key]')].find((e) => e.dataset.focusKey === focusKey)?.focus({ preventScroll: true });
}
