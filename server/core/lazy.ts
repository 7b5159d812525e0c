// Packages that only some requests or jobs need (image processing, email parsing and sending, CSV,
// QR codes, backups, uploads, the API reference page) are imported on first use rather than at
// start: each costs tens of milliseconds and several megabytes that a server which never uses
// them should not pay (see test/bench/README.md, "footprint").

/**
 * A loader that imports once, on its first call, and hands every caller the same module. A failed
 * import is not cached, so the next call tries again.
 */
export function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () =>
    (pending ??= load().catch((err: unknown) => {
      pending = undefined;
      throw err;
    }));
}
