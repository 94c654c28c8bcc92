/**
 * The host ⇄ Atlas panel protocol. Compiled into the extension and the webview bundle; every message
 * that crosses is `unknown` until its valibot schema accepts it (see CONVENTIONS.md #5, #6).
 * The map travels as parallel arrays (ids, x, y, cluster) so 100k points stay a compact message.
 */
import * as v from 'valibot';

const Id = v.pipe(v.string(), v.minLength(1), v.maxLength(512));
/** A size or count the panel reports: NaN, Infinity and negatives are not sizes. */
const Count = v.pipe(v.number(), v.finite(), v.minValue(0));

export const MapClusterSchema = v.object({
  id: v.number(),
  label: v.string(),
  size: v.number(),
  keywords: v.array(v.string()),
});

export const MapMessageSchema = v.object({
  type: v.literal('map'),
  ids: v.array(v.string()),
  titles: v.array(v.string()),
  years: v.array(v.nullable(v.number())),
  x: v.array(v.number()),
  y: v.array(v.number()),
  cluster: v.array(v.number()),
  clusters: v.array(MapClusterSchema),
  /** Set when the engine has no topic map yet and the layout groups papers by another key. */
  fallback: v.optional(v.string()),
});

export const PanelPaperSchema = v.object({
  id: Id,
  title: v.string(),
  authors: v.array(v.string()),
  year: v.optional(v.number()),
  venue: v.optional(v.string()),
  doi: v.optional(v.string()),
  arxivId: v.optional(v.string()),
  abstract: v.string(),
  keywords: v.array(v.string()),
  topic: v.optional(v.string()),
  source: v.optional(v.string()),
});

export const KeywordHeatSchema = v.object({
  /** The text the spans index into. */
  text: v.string(),
  spans: v.array(v.object({ start: v.number(), end: v.number(), score: v.number() })),
  top: v.array(v.string()),
});

export const RelatedItemSchema = v.object({
  id: Id,
  title: v.string(),
  score: v.number(),
  year: v.optional(v.number()),
  authors: v.array(v.string()),
});

export const HostToPanelSchema = v.variant('type', [
  MapMessageSchema,
  v.object({
    type: v.literal('paper'),
    paper: PanelPaperSchema,
    keywords: v.nullable(KeywordHeatSchema),
    /**
     * The masked LM is still scoring this paper (the slow part of a selection: a paper not seen before
     * costs one model run, seconds while the engine warms up); its heat-map follows in `paperKeywords`.
     */
    keywordsPending: v.optional(v.boolean()),
    related: v.array(RelatedItemSchema),
  }),
  /** The keyword heat-map of a paper shown earlier with `keywordsPending` (null: none could be computed). */
  v.object({ type: v.literal('paperKeywords'), id: Id, keywords: v.nullable(KeywordHeatSchema) }),
  v.object({ type: v.literal('reveal'), id: Id }),
  v.object({ type: v.literal('status'), kind: v.picklist(['info', 'busy', 'error']), message: v.string() }),
]);

export const PanelActionSchema = v.picklist(['goToSource', 'copyKey', 'showRelated', 'insertCitation']);

export const PanelToHostSchema = v.variant('type', [
  v.object({ type: v.literal('ready') }),
  v.object({ type: v.literal('select'), id: Id }),
  v.object({ type: v.literal('action'), action: PanelActionSchema, id: Id }),
  /** The panel's view for the serializer (VS Code keeps it with setState too); echoed for tests. */
  v.object({ type: v.literal('rendered'), points: Count, width: Count, height: Count }),
]);

export type MapMessage = v.InferOutput<typeof MapMessageSchema>;
export type PanelPaper = v.InferOutput<typeof PanelPaperSchema>;
export type KeywordHeat = v.InferOutput<typeof KeywordHeatSchema>;
export type RelatedItem = v.InferOutput<typeof RelatedItemSchema>;
export type HostToPanel = v.InferOutput<typeof HostToPanelSchema>;
export type PanelToHost = v.InferOutput<typeof PanelToHostSchema>;
export type PanelAction = v.InferOutput<typeof PanelActionSchema>;

/** State the webview keeps with `setState` and the serializer restores. */
export const PanelStateSchema = v.object({
  selectedId: v.optional(v.string()),
  filter: v.optional(v.string()),
  /** `layout`: the map layout the view was saved on (webview/atlasViewRules.ts layoutKey). */
  view: v.optional(v.object({ cx: v.number(), cy: v.number(), scale: v.number(), layout: v.optional(v.string()) })),
});
export type PanelState = v.InferOutput<typeof PanelStateSchema>;

export function parseHostToPanel(data: unknown): HostToPanel | undefined {
  const r = v.safeParse(HostToPanelSchema, data);
  return r.success ? r.output : undefined;
}

export function parsePanelToHost(data: unknown): PanelToHost | undefined {
  const r = v.safeParse(PanelToHostSchema, data);
  return r.success ? r.output : undefined;
}

/**
 * Like parsePanelToHost, with a one-line reason for the log when the message is dropped. The reason
 * names the message's type and the first problem; it quotes at most 60 characters of what was sent.
 */
export function checkPanelToHost(data: unknown): { ok: true; msg: PanelToHost } | { ok: false; reason: string } {
  const r = v.safeParse(PanelToHostSchema, data);
  if (r.success) return { ok: true, msg: r.output };
  const type = typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as { type?: unknown }).type : undefined;
  const what = typeof type === 'string' ? `"${type.slice(0, 60)}" message` : data === null ? 'null' : Array.isArray(data) ? 'array' : typeof data === 'object' ? 'message without a type' : typeof data;
  const issue = r.issues[0];
  const at = issue?.path?.map((p) => String(p.key)).join('.') ?? '';
  return { ok: false, reason: `${what}${at ? ` at ${at.slice(0, 60)}` : ''}: ${(issue?.message ?? 'invalid').slice(0, 120)}` };
}

export function parsePanelState(data: unknown): PanelState {
  const r = v.safeParse(PanelStateSchema, data);
  return r.success ? r.output : {};
}
