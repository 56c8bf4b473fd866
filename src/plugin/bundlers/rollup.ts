// Rollup, Rolldown and Vite builds: the artifacts and the manifest are emitted as assets in a
// `post` generateBundle, once per output — after Vite's SSR build has dropped the assets it does
// not emit (`build.ssrEmitAssets`), which would otherwise include ours.
import type { CapsuleContext } from '../context.ts'
import { fileOf } from '../context.ts'

interface BundleLike {
  [fileName: string]: { type: 'chunk' | 'asset'; moduleIds?: readonly string[] }
}

interface EmitContext {
  emitFile(file: { type: 'asset'; fileName: string; source: string | Uint8Array }): unknown
}

export function emitAssetsHook(ctx: CapsuleContext) {
  return {
    order: 'post' as const,
    async handler(this: EmitContext, _options: unknown, bundle: BundleLike): Promise<void> {
      const bundled = new Set<string>()
      for (const output of Object.values(bundle)) {
        for (const id of output.type === 'chunk' ? output.moduleIds ?? [] : []) {
          const file = fileOf(id)
          if (file) bundled.add(file)
        }
      }
      for (const asset of await ctx.outputAssets(bundled)) this.emitFile({ type: 'asset', fileName: asset.fileName, source: asset.source })
    },
  }
}
