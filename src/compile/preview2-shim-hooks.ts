// Module resolve hooks for the componentize child process (registered by
// preview2-shim-resolution.ts). componentize-js imports `@bytecodealliance/preview2-shim` without
// declaring it as a dependency, so in a consumer's tree it resolves only through a hoisted copy —
// which a later install may remove or replace with another version. Its imports of the shim are
// resolved here as if made from this package, which declares the shim: always our own copy, the
// one whose filesystem preopens the worker sets.
import type { ResolveHook } from 'node:module'

const SHIM = /^@bytecodealliance\/preview2-shim(?:\/|$)/
const COMPONENTIZE_JS = '/node_modules/@bytecodealliance/componentize-js/'

export const resolve: ResolveHook = (specifier, context, nextResolve) => {
  if (SHIM.test(specifier) && context.parentURL?.includes(COMPONENTIZE_JS)) {
    return nextResolve(specifier, { ...context, parentURL: import.meta.url })
  }
  return nextResolve(specifier, context)
}
