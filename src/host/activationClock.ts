/**
 * Imported first by extension.ts so that its timestamp is taken before the rest of the bundle is
 * evaluated: activation time then includes module loading, not only activate()'s body.
 */
export const moduleLoadStart = performance.now();
