// Types for build/bundle.mjs (used by scripts/desktop.ts, the benchmark and the tests).
export declare const root: string;
export declare const outDir: string;
/** dist-app/server.js */
export declare const serverBundle: string;
/** Rebuilds dist-app/server.js; returns its path. */
export declare function bundleServer(options?: { quiet?: boolean }): Promise<string>;
/** Rebuilds everything in dist-app/ (server, main process, preload script). */
export declare function bundle(options?: { quiet?: boolean }): Promise<string>;
