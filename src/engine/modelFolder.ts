/**
 * Moved to models/modelFolder.ts (issue 16). Kept only for the keyword files, which import it from
 * here and are being changed on another branch; delete once they import models/modelFolder.
 */
export * from './models/modelFolder';
