// Bundles a task module and everything it imports into one guest script with esbuild.
// 'unplugin-capsule' resolves to the in-sandbox `task()`, Node built-ins to the guest
// polyfills; the host interface stays an import for componentize-js to bind.
import { builtinModules } from 'node:module'
import { basename, join, resolve } from 'node:path'
import type { Plugin } from 'esbuild'
import { guestFile } from './guest-files.ts'

/** The generated entry (stdin): not a file on disk, so not an input to watch or stamp. */
const ENTRY_NAME = 'capsule-guest-entry.js'

const GUEST_BUILTINS: Record<string, string> = {
  'fs': 'fs',
  'fs/promises': 'fs-promises',
  'path': 'path',
  'process': 'process',
}

function guestResolvePlugin(): Plugin {
  return {
    name: 'capsule-guest-resolve',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^unplugin-capsule$/ }, () => ({ path: guestFile('task') }))
      pluginBuild.onResolve({ filter: /^capsule:sandbox\// }, (args) => ({ path: args.path, external: true }))
      pluginBuild.onResolve({ filter: /^(node:)?[a-z_/]+$/ }, (args) => {
        const bare = args.path.replace(/^node:/, '')
        const polyfill = GUEST_BUILTINS[bare]
        if (polyfill) return { path: guestFile(polyfill) }
        if (args.path.startsWith('node:') || builtinModules.includes(bare)) {
          return { errors: [{ text: `"${args.path}" is not available inside a capsule sandbox (available: ${Object.keys(GUEST_BUILTINS).join(', ')})` }] }
        }
        return undefined
      })
    },
  }
}

export interface GuestBundle {
  code: string
  /** The bundle's source map (sources relative to `resolveDir`, no contents): maps task error stacks. */
  map: string
  /** Absolute paths of every source file that went into the bundle (for watch mode). */
  inputs: string[]
}

export async function bundleGuest(taskModulePath: string, resolveDir: string): Promise<GuestBundle> {
  // Loaded only when a bundle is really needed: a cache hit with unchanged inputs never pays for it.
  const { build } = await import('esbuild')
  const entry = [
    `import ${JSON.stringify(guestFile('globals'))}`,
    `import ${JSON.stringify(taskModulePath)}`,
    `export { run } from ${JSON.stringify(guestFile('run'))}`,
  ].join('\n')
  const result = await build({
    stdin: { contents: entry, resolveDir, sourcefile: ENTRY_NAME, loader: 'js' },
    absWorkingDir: resolveDir, // not process.cwd(): the same module bundles the same from the CLI and any bundler
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    mainFields: ['module', 'main'],
    conditions: ['import', 'default'],
    metafile: true,
    logLevel: 'silent',
    legalComments: 'none',
    plugins: [guestResolvePlugin()],
    sourcemap: 'external',
    sourcesContent: false,
    outfile: join(resolveDir, 'capsule-guest.js'), // never written (write: false): names the map's base
  })
  const output = result.outputFiles.find((file) => file.path.endsWith('.js'))
  const map = result.outputFiles.find((file) => file.path.endsWith('.js.map'))
  if (!output || !map) throw new Error(`bundling ${taskModulePath} produced no output`)
  const inputs = Object.keys(result.metafile.inputs)
    .filter((input) => basename(input) !== ENTRY_NAME)
    .map((input) => resolve(resolveDir, input))
  return { code: output.text, map: map.text, inputs }
}
