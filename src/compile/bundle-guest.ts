// Bundles a task module and everything it imports into one guest script with esbuild.
// 'unplugin-capsule' resolves to the in-sandbox `task()`, Node built-ins to the guest
// polyfills; the host interface stays an import for componentize-js to bind. What may be
// imported at all is guest-import-policy.ts (only code and JSON from the project and
// node_modules). `import.meta` becomes a guest global that throws a normal, catchable error
// (the engine itself traps uncatchably on it).
import { builtinModules, createRequire } from 'node:module'
import { basename, join, resolve } from 'node:path'
import type { Plugin } from 'esbuild'
import { guestFile } from './guest-files.ts'
import { guestDirOf, guestImportPolicy } from './guest-import-policy.ts'

/** The generated entry (stdin): not a file on disk, so not an input to watch or stamp. */
const ENTRY_NAME = 'capsule-guest-entry.js'

const GUEST_BUILTINS: Record<string, string> = {
  'fs': 'fs',
  'fs/promises': 'fs-promises',
  'path': 'path',
  'process': 'process',
}

/** `entry`: what the generated entry's `capsule-entry:` imports stand for (absolute paths). */
function guestResolvePlugin(entry: Record<string, string>): Plugin {
  return {
    name: 'capsule-guest-resolve',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^capsule-entry:/ }, (args) => {
        const path = entry[args.path.slice('capsule-entry:'.length)]
        return path ? { path } : { errors: [{ text: `unknown import '${args.path}'` }] }
      })
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

const require = createRequire(import.meta.url)

/**
 * esbuild's JS API, loaded with `require`: it is CommonJS, and importing it as ESM has Node scan
 * its ~100 KB for named exports first (cjs-module-lexer, ~30 ms of a new process's rebuild).
 */
function loadEsbuild(): typeof import('esbuild') {
  return require('esbuild') as typeof import('esbuild')
}

/**
 * Starts esbuild's service process now (its first call spawns it, ~50–100 ms in a new process),
 * so it is up by the time the module's tasks are discovered and the bundle is asked for.
 */
export function prewarmBundler(): void {
  Promise.resolve().then(() => loadEsbuild().transform('')).catch(() => {})
}

/** `root`: the project root; imports must stay inside it (or in node_modules). */
export async function bundleGuest(taskModulePath: string, resolveDir: string, root: string = resolveDir): Promise<GuestBundle> {
  // Loaded only when a bundle is really needed: a cache hit with unchanged inputs never pays for it.
  const { build } = loadEsbuild()
  // The entry names its imports through `capsule-entry:` so that no absolute path is ever
  // imported by a name a task file could pose as.
  const entryFiles = { globals: guestFile('globals'), module: taskModulePath, run: guestFile('run') }
  const entry = [
    `import "capsule-entry:globals"`,
    `import "capsule-entry:module"`,
    `export { run } from "capsule-entry:run"`,
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
    define: { 'import.meta': '__capsuleImportMeta' },
    // Maps a top-level error at build time back to the task module's line.
    sourcemap: 'external',
    sourcesContent: false,
    outfile: join(resolveDir, 'capsule-guest.js'),
    plugins: [guestImportPolicy({ root, guestDir: guestDirOf(guestFile('task')) }), guestResolvePlugin(entryFiles)],
  })
  const output = result.outputFiles.find((file) => file.path.endsWith('.js'))
  const map = result.outputFiles.find((file) => file.path.endsWith('.js.map'))
  if (!output || !map) throw new Error(`bundling ${taskModulePath} produced no output`)
  const inputs = Object.keys(result.metafile.inputs)
    .filter((input) => basename(input) !== ENTRY_NAME)
    .map((input) => resolve(resolveDir, input))
  return { code: output.text, map: map.text, inputs }
}
