// The unplugin: wires each bundler's hooks to a CapsuleContext, nothing more.
import { createUnplugin, type UnpluginFactory } from 'unplugin'
import type { CapsuleConfig } from '../types.ts'
import { esbuildHooks } from './bundlers/esbuild.ts'
import { emitAssetsHook } from './bundlers/rollup.ts'
import { isViteClient, viteHooks } from './bundlers/vite.ts'
import { setupWebpack, webpackModules } from './bundlers/webpack.ts'
import { CapsuleContext } from './context.ts'
import { SCRIPT_ID } from './task-filter.ts'

export const unpluginFactory: UnpluginFactory<CapsuleConfig | undefined, false> = (options = {}, meta) => {
  const ctx = new CapsuleContext(options, meta.framework)
  return {
    name: 'unplugin-capsule',
    enforce: 'pre',
    async buildStart() {
      await ctx.start()
    },
    resolveId: {
      filter: { id: /^unplugin-capsule\/runtime$/ },
      handler: () => ctx.resolveRuntime(),
    },
    transform: {
      // The bundler's cheap prefilter; which of these are task modules is decided with the
      // resolved options (capsule.config included) by the same filter `capsule build` uses.
      filter: { id: SCRIPT_ID },
      async handler(code, id) {
        if (!await ctx.isTaskModule(id)) return null
        // A browser bundle cannot run tasks (the runtime is Node's). Under `vite dev` and Vitest
        // every environment is evaluated in Node, so only builds are refused.
        if (meta.framework === 'vite' && ctx.mode === 'build' && isViteClient(this)) {
          this.error(`unplugin-capsule: ${id} is a task module imported in a browser build; tasks run in Node: import it from server (SSR) code`)
        }
        return ctx.transform(this, code, id)
      },
    },
    async buildEnd() {
      // webpack and rspack only: the Rollup family emits in generateBundle, esbuild on its own onEnd.
      const native = this.getNativeBuildContext?.()
      if ((native?.framework !== 'webpack' && native?.framework !== 'rspack') || !native.compilation) return
      for (const asset of await ctx.outputAssets(webpackModules(native.compilation))) this.emitFile({ type: 'asset', fileName: asset.fileName, source: asset.source })
    },
    vite: viteHooks(ctx),
    rollup: { generateBundle: emitAssetsHook(ctx) },
    rolldown: { generateBundle: emitAssetsHook(ctx) },
    webpack: (compiler) => setupWebpack(ctx, compiler),
    rspack: (compiler) => setupWebpack(ctx, compiler),
    esbuild: { setup: (build) => esbuildHooks(ctx, build) },
  }
}

export const unplugin = /* #__PURE__ */ createUnplugin(unpluginFactory)
