// Which glue patch a cached engine carries: the jco version the edits in patch-glue.ts were
// written against, and their own version. Apart from patch-glue.ts (which loads oxc) so the
// toolchain's identity can be computed without loading the compiler.

/** The jco version whose generated glue these edits were written and verified against. */
export const PATCHED_JCO_VERSION = '1.35.0'
/** Bump when an edit changes (the patched glue is part of the engine's cache identity anyway). */
export const GLUE_PATCH_VERSION = 1
