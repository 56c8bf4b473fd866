// Vite: the root and the command come from the resolved config (`serve` under `vite dev` and
// Vitest: proxies point into the cache); in dev, editing a file a task module bundles (not only
// the module itself) invalidates that module's proxy so the next call runs the new code. A
// browser build cannot hold a proxy (the runtime is Node's): it fails, naming the importer's fix.
import type { Plugin } from 'vite'
import type { CapsuleContext } from '../context.ts'
import { emitAssetsHook } from './rollup.ts'

/** What the plugin uses of Vitest's `configureVitest` hook context (Vitest ≥ 3.1). */
interface VitestContext {
  vitest: { logger: { log(message: string): void } }
}

export function viteHooks(ctx: CapsuleContext): Partial<Plugin> {
  const hooks: Partial<Plugin> & { configureVitest(context: VitestContext): void } = {
    // Vitest keeps Vite's logger at 'warn': progress goes to Vitest's own logger instead.
    configureVitest({ vitest }) {
      ctx.logger = (message) => vitest.logger.log(`[unplugin-capsule] ${message}`)
    },
    configResolved(config) {
      ctx.setRoot(config.root)
      ctx.mode = config.command === 'serve' ? 'serve' : 'build'
      ctx.logger = (message) => config.logger.info(`[unplugin-capsule] ${message}`, { timestamp: true })
    },
    hotUpdate({ file, modules }) {
      const graph = this.environment.moduleGraph
      const extra = ctx.dependentsOf(file).flatMap((dependent) => [...(graph.getModulesByFile(dependent) ?? [])])
      if (extra.length === 0) return
      for (const module of extra) graph.invalidateModule(module)
      return [...modules, ...extra]
    },
    generateBundle: emitAssetsHook(ctx),
  }
  return hooks
}

/** True when a Vite hook runs for a browser (client) environment. */
export function isViteClient(context: unknown): boolean {
  return (context as { environment?: { config?: { consumer?: string } } }).environment?.config?.consumer === 'client'
}
