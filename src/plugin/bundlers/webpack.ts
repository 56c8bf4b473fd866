// webpack and rspack (the same compiler API for what is used here): the root is the compiler's
// context, and the runtime stays an external (webpack would otherwise bundle it, and its worker
// files with it): `module` for ESM output, `commonjs` for
// CommonJS output (Node >= 20.19 can require() the ESM runtime). Artifacts and the manifest are
// emitted from unplugin's buildEnd (processAssets) through emitFile.
import type { CapsuleContext } from '../context.ts'
import { RUNTIME_ID } from '../proxy.ts'

/** What this file uses of a webpack or rspack compiler. */
interface WebpackLikeCompiler {
  options: { context?: string; output: { module?: boolean }; externals?: unknown }
  getInfrastructureLogger(name: string): { info(...args: unknown[]): void }
}

export function setupWebpack(ctx: CapsuleContext, compiler: WebpackLikeCompiler): void {
  ctx.setRoot(compiler.options.context ?? process.cwd())
  const logger = compiler.getInfrastructureLogger('unplugin-capsule')
  ctx.logger = (message) => logger.info(message)
  const type = compiler.options.output.module ? 'module' : 'commonjs'
  // webpack rewrites `typeof __filename` (to `true` for a node target, even in ESM output) and
  // `import.meta.url` (to the source file's URL), so the proxy is told which output this is.
  ctx.outputFormat = compiler.options.output.module ? 'webpack-esm' : 'cjs'
  const existing = compiler.options.externals
  const ours = { [RUNTIME_ID]: `${type} ${RUNTIME_ID}` }
  compiler.options.externals = existing === undefined ? [ours] : [...(Array.isArray(existing) ? existing as unknown[] : [existing]), ours]
}

/** Task modules in this compilation (to leave out those a watch rebuild no longer imports). */
export function webpackModules(compilation: { modules: Iterable<unknown> }): Set<string> {
  const files = new Set<string>()
  for (const module of compilation.modules) {
    const resource = (module as { resource?: unknown }).resource
    if (typeof resource === 'string') files.add(resource.replace(/[?#].*$/, ''))
  }
  return files
}
