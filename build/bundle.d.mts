// Types for build/bundle.mjs (used by scripts/desktop.ts and the packaging test).
export declare const root: string;
export declare const outDir: string;
export declare function bundle(options?: { quiet?: boolean }): Promise<string>;
