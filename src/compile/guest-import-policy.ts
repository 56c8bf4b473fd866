// What a task module may pull into its guest bundle at build time. The bundle is built on the
// host with the host's file system, so without this a task could `import secret from
// './.env' with { type: 'text' }` (or '/proc/self/environ') and return what got inlined.
// Allowed: code and JSON (.ts .tsx .mts .cts .js .mjs .cjs .jsx .json) from inside the project
// root or from a node_modules directory; never a dotfile or dot-directory of the project,
// never an absolute specifier, a URL (data:, http:, file:) or a path that leaves the root;
// the only import attribute is `with { type: 'json' }`. Anything else fails the build with the
// importing file:line (esbuild's location of the import) and the reason.
import { dirname, extname, isAbsolute, relative, sep } from 'node:path'
import type { OnResolveArgs, Plugin, PluginBuild } from 'esbuild'
import { isPathInside } from '../shared/path-inside.ts'
import { realOrSelf } from '../shared/real-path.ts'

export const CODE_AND_JSON = ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs', '.jsx', '.json'] as const
const ALLOWED_EXTENSIONS = new Set<string>(CODE_AND_JSON)
const URL_SCHEME = /^[a-z][a-z0-9+.-]*:/i
/** Schemes the guest resolver handles itself (built-in polyfills, the host interface, the entry's imports). */
const OWN_SCHEMES = /^(node|capsule|capsule-entry):/
const CHECKED = Symbol('capsule-import-checked')

export interface ImportPolicyOptions {
  /** Absolute project root. */
  root: string
  /** Directory of the guest runtime files (part of this package, always allowed). */
  guestDir: string
}

/** Why a resolved file may not be bundled, or null. */
export function refusalForFile(path: string, options: ImportPolicyOptions): string | null {
  const real = realOrSelf(path)
  const ext = extname(real).toLowerCase()
  if (!ALLOWED_EXTENSIONS.has(ext)) {
    return `only code and JSON can be imported into a sandbox (${CODE_AND_JSON.join(' ')}), not '${ext || 'a file without extension'}'`
  }
  if (isPathInside(real, realOrSelf(options.guestDir))) return null
  const realRoot = realOrSelf(options.root)
  const segments = real.split(sep)
  const moduleDirAt = segments.lastIndexOf('node_modules')
  if (isPathInside(real, realRoot)) {
    const rel = relative(realRoot, real).split(sep)
    const ownPart = rel.indexOf('node_modules') >= 0 ? rel.slice(0, rel.indexOf('node_modules')) : rel
    if (ownPart.some((segment) => segment.startsWith('.'))) return 'dotfiles and dot-directories of the project cannot be imported into a sandbox'
  } else if (moduleDirAt < 0) {
    return 'only files inside the project root or node_modules can be imported into a sandbox'
  }
  if (segments[segments.length - 1]!.startsWith('.')) return 'dotfiles cannot be imported into a sandbox'
  return null
}

/** Why an import statement itself is refused (attributes, specifier form), or null. */
function refusalForImport(args: OnResolveArgs): string | null {
  const attributes = Object.entries(args.with ?? {})
  for (const [key, value] of attributes) {
    if (key !== 'type' || value !== 'json') {
      return `import attribute ${key}: '${value}' is not allowed in a sandbox (only with { type: 'json' })`
    }
  }
  if (URL_SCHEME.test(args.path) && !OWN_SCHEMES.test(args.path)) return `URL imports ('${args.path.slice(0, 40)}') are not allowed in a sandbox`
  if (isAbsolute(args.path) || args.path.startsWith('\\')) return 'absolute import paths are not allowed in a sandbox: import relative to the module'
  return null
}

export function guestImportPolicy(options: ImportPolicyOptions): Plugin {
  return {
    name: 'capsule-guest-import-policy',
    setup(build: PluginBuild) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if ((args.pluginData as Record<symbol, unknown> | undefined)?.[CHECKED] || args.kind === 'entry-point') return undefined
        const refusal = refusalForImport(args)
        if (refusal) return { errors: [{ text: refusal }] }
        if (OWN_SCHEMES.test(args.path) || /^unplugin-capsule$/.test(args.path)) return undefined
        const resolved = await build.resolve(args.path, {
          importer: args.importer,
          kind: args.kind,
          resolveDir: args.resolveDir,
          with: args.with,
          pluginData: { [CHECKED]: true },
        })
        if (resolved.errors.length > 0) return { errors: resolved.errors }
        if (resolved.external || resolved.namespace !== 'file') {
          return resolved.namespace === 'file' ? resolved : { errors: [{ text: `'${args.path}' does not resolve to a file; only files can be imported into a sandbox` }] }
        }
        const fileRefusal = refusalForFile(resolved.path, options)
        if (fileRefusal) return { errors: [{ text: `cannot import '${args.path}': ${fileRefusal}` }] }
        return resolved
      })
    },
  }
}

export function guestDirOf(guestFilePath: string): string {
  return dirname(guestFilePath)
}
