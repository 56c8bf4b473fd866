// The fuel instrumentation's identity: part of the engine's and every module's cache key, so
// changing the instrumentation rebuilds instead of serving a stale engine. (Kept apart from
// instrument-fuel.ts so reading it does not load binaryen.)

/** Bump when the instrumentation changes. */
export const INSTRUMENTATION_VERSION = 6
/** Regions under this many instructions are charged with their parent: fewer charges, same determinism. */
export const MIN_REGION = 8
