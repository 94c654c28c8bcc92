/**
 * Files the engine keeps beside a LanceDB table in the index folder, named after the table so they go
 * with it: its index state (index/indexer.ts) and related work's word statistics (search/searchService.ts).
 * No LanceDB here: the indexer names its state file without loading the store.
 */
import path from 'node:path';

export type TableSideFile = 'state' | 'terms';
export const TABLE_SIDE_FILES: readonly TableSideFile[] = ['state', 'terms'];

export function tableSideFile(dbDir: string, tableName: string, kind: TableSideFile): string {
  return path.join(dbDir, `${tableName}.${kind}.json`);
}
