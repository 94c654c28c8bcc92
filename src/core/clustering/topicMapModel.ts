/**
 * The topic map as the engine keeps it (`<table>.topics.json`). The part that crosses the engine
 * protocol — clusters and points — is `TopicMapResult` of src/shared/engineProtocol.ts; the rest
 * (centroids, fingerprints, seed) exists so the next update can keep the map still.
 */
import type { MapPoint, TopicCluster, TopicMapResult } from '../../shared/engineProtocol';

export type ClusterCountOption = 'auto' | number;

export interface TopicMap extends TopicMapResult {
  version: 1;
  seed: number;
  clusterOption: ClusterCountOption;
  /** 'incremental' when only a few papers changed and everyone else kept their place. */
  update: 'full' | 'incremental';
  /** How the points were placed: 'kept' = previous positions, changed papers placed by neighbours. */
  layout: 'pca' | 'umap' | 'umap+placement' | 'kept';
  /**
   * Ids are 0..k-1, numbered by size (largest first) at the last full recompute; empty clusters are
   * left out. Labels are the top three c-TF-IDF phrases; `papers` are most central first.
   */
  clusters: TopicCluster[];
  /** Sorted by paper id; x and y in [-1, 1]. */
  points: MapPoint[];
  /** Unit-length centroid per cluster id: new papers join the nearest one on an incremental update. */
  centroids: number[][];
  /** Fingerprint of each paper's title + abstract, parallel to `points`: tells edited papers apart. */
  fingerprints: string[];
}

export interface TopicPaper {
  id: string;
  title: string;
  abstract: string;
}
