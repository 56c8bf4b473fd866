// The contract between the build-time glue patch (compile/engine/patch-glue.ts) and the
// runtime's in-place reset: the patched jco glue returns, next to `run`, a hook under this
// symbol that says whether the glue's JS-side state is idle and puts its handle tables back to
// what a fresh instantiation has. Unpatched glue has no hook: the runtime then never reuses.

export const GLUE_HOOK = Symbol.for('unplugin-capsule:glue-hook')

export interface GlueHook {
  /** True when no task, borrow, lock, pending host operation or trap is left in the glue. */
  idle(): boolean
  /** Empties the resource handle tables and their counters, as a fresh instantiation has them. */
  reset(): void
}

/** Adapter modules (the WASI preview1 adapter) export their mutable globals under this prefix. */
export const ADAPTER_GLOBAL_PREFIX = 'capsule:adapter-global:'
