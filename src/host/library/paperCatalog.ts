/**
 * The host's light copy of the index: every paper's id, title, authors, year, identifiers and
 * sources (no vectors, only the start of the abstract), plus the topic map when the engine has one.
 * The tree, hovers, palette items and the panel read it synchronously, so providers never wait on
 * the engine for what they show first. Refreshed after each indexing run.
 */
import * as vscode from 'vscode';
import type { EngineClient } from '../../engine/client/engineClient';
import type { TopicCluster, TopicMapResult } from '../../shared/engineProtocol';
import { referenceKeys } from '../../core/paperIdentity';
import type { Paper, PaperSource } from '../../shared/paper';
import { familyName } from '../../core/authorName';
import type { ClusterCount } from '../config';
import { errorMessage } from '../atlasContext';

export interface CatalogPaper {
  id: string;
  title: string;
  authors: string[];
  year?: number;
  venue?: string;
  doi?: string;
  arxivId?: string;
  keywords: string[];
  abstractStart: string;
  sources: PaperSource[];
  /** Hash of the text the engine embeds and keywords come from: keys the hover's keyword cache (absent: not cached). */
  contentHash?: string;
}

const PAGE = 2000;
const ABSTRACT_START = 400;

export function authorsShort(authors: readonly string[]): string {
  if (authors.length === 0) return 'unknown authors';
  if (authors.length === 1) return familyName(authors[0]!);
  if (authors.length === 2) return `${familyName(authors[0]!)} & ${familyName(authors[1]!)}`;
  return `${familyName(authors[0]!)} et al.`;
}

export class PaperCatalog implements vscode.Disposable {
  private papers = new Map<string, CatalogPaper>();
  /** Paper ids by DOI and arXiv id, keyed as paperIdentity's referenceKeys() spells them. */
  private byReference = new Map<string, string>();
  private byLowerId = new Map<string, string>();
  private sourceFiles = new Set<string>();
  private _topicMap: TopicMapResult | undefined;
  private _topicMapError: string | undefined;
  private topicOf = new Map<string, TopicCluster>();
  private _version = 0;
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changeEmitter.event;

  constructor(private readonly log: vscode.LogOutputChannel) {}

  /** Moves on with every reload of the paper list (each index run) and clear; not with the topic map. */
  get version(): number {
    return this._version;
  }

  get size(): number {
    return this.papers.size;
  }
  get topicMap(): TopicMapResult | undefined {
    return this._topicMap;
  }
  /** Why the topic map is missing (the engine's error), when it is. */
  get topicMapError(): string | undefined {
    return this._topicMapError;
  }

  all(): IterableIterator<CatalogPaper> {
    return this.papers.values();
  }

  get(id: string): CatalogPaper | undefined {
    return this.papers.get(id) ?? this.papers.get(this.byLowerId.get(id.toLowerCase()) ?? '');
  }

  /** The paper a DOI or arXiv id written in a document names, by the same identity rules as the index. */
  byDoiOrArxiv(token: string): CatalogPaper | undefined {
    for (const key of referenceKeys(token)) {
      const id = this.byReference.get(key);
      if (id !== undefined) return this.papers.get(id);
    }
    return undefined;
  }

  topic(id: string): TopicCluster | undefined {
    return this.topicOf.get(id);
  }

  /** Every file that is a source of an indexed paper (the only files "go to source" opens). */
  isSourceFile(file: string): boolean {
    return this.sourceFiles.has(file);
  }

  /** Reloads the paper list and tries the topic map; the latter may fail until the engine answers it. */
  async refresh(client: EngineClient, clusters: ClusterCount, token?: vscode.CancellationToken): Promise<void> {
    const papers = new Map<string, CatalogPaper>();
    for (let offset = 0; ; offset += PAGE) {
      if (token?.isCancellationRequested) return;
      const page = await client.listPapers(offset, PAGE);
      for (const p of page.papers) papers.set(p.id, toCatalogPaper(p));
      if (page.papers.length < PAGE || offset + PAGE >= page.total) break;
    }
    this.papers = papers;
    this.byReference = new Map();
    this.byLowerId = new Map();
    for (const p of papers.values()) {
      for (const key of [...referenceKeys(p.doi ?? ''), ...referenceKeys(p.arxivId ?? '')]) if (!this.byReference.has(key)) this.byReference.set(key, p.id);
      this.byLowerId.set(p.id.toLowerCase(), p.id);
    }
    this.sourceFiles = new Set([...papers.values()].flatMap((p) => p.sources.map((s) => s.file)));
    this._version++;
    await this.refreshTopicMap(client, clusters, false);
    this.changeEmitter.fire();
  }

  async refreshTopicMap(client: EngineClient, clusters: ClusterCount, fire = true): Promise<void> {
    try {
      this._topicMap = this.papers.size === 0 ? { clusters: [], points: [] } : await client.topicMap({ clusters });
      this._topicMapError = undefined;
    } catch (e) {
      this._topicMap = undefined;
      this._topicMapError = errorMessage(e);
      this.log.warn(`topic map unavailable (${this._topicMapError}); grouping by source file instead`);
    }
    this.topicOf = new Map();
    for (const c of this._topicMap?.clusters ?? []) for (const id of c.papers) this.topicOf.set(id, c);
    if (fire) this.changeEmitter.fire();
  }

  clear(): void {
    this.papers = new Map();
    this.byReference = new Map();
    this.byLowerId = new Map();
    this.sourceFiles = new Set();
    this._topicMap = undefined;
    this.topicOf = new Map();
    this._version++;
    this.changeEmitter.fire();
  }

  dispose(): void {
    this.changeEmitter.dispose();
  }
}

function toCatalogPaper(p: Paper): CatalogPaper {
  const abstract = p.abstract.replace(/\s+/g, ' ').trim();
  return {
    id: p.id,
    title: p.title,
    authors: p.authors,
    year: p.year,
    venue: p.venue,
    doi: p.doi,
    arxivId: p.arxivId,
    keywords: p.keywords,
    abstractStart: abstract.length > ABSTRACT_START ? `${abstract.slice(0, ABSTRACT_START).replace(/\s+\S*$/, '')}…` : abstract,
    sources: p.sources,
    contentHash: p.contentHash,
  };
}
