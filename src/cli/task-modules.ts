// Finding and compiling task modules for the CLI (`build`, and `run` with project defaults).
// The compiler is imported here lazily: `exec` and `inspect <manifest>` never load it.
import { readdir } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import type { CompiledModule } from '../compile/index.ts'
import type { FilterPattern } from '../plugin/options.ts'
import type { ProjectConfig } from './config.ts'
import { UsageError } from './usage-error.ts'

const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'coverage'])

/** A glob (`**`, `*`, `?`, `{a,b}`) as a RegExp over POSIX paths relative to the root. */
export function globToRegExp(glob: string): RegExp {
  let source = ''
  let braces = 0
  for (let index = 0; index < glob.length; index++) {
    const char = glob[index]!
    if (char === '*' && glob[index + 1] === '*') {
      source += glob[index + 2] === '/' ? '(?:.*/)?' : '.*'
      index += glob[index + 2] === '/' ? 2 : 1
    } else if (char === '*') source += '[^/]*'
    else if (char === '?') source += '[^/]'
    else if (char === '{') { braces++; source += '(?:' }
    else if (char === '}' && braces > 0) { braces--; source += ')' }
    else if (char === ',' && braces > 0) source += '|'
    else source += char.replace(/[.+^$()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${source}$`)
}

function matcher(pattern: FilterPattern | undefined): ((path: string) => boolean) | undefined {
  if (pattern === undefined) return undefined
  const list = (Array.isArray(pattern) ? pattern : [pattern]).map((item) => (typeof item === 'string' ? globToRegExp(item.replace(/^\.\//, '')) : item))
  return (path) => list.some((regex) => { regex.lastIndex = 0; return regex.test(path) })
}

/** Every task module under the root (by the config's include/exclude), skipping node_modules, dist and dot dirs. */
export async function findTaskModules(config: ProjectConfig): Promise<string[]> {
  const include = matcher(config.include)!
  const exclude = matcher(config.exclude)
  const found: string[] = []
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith('.')) await walk(path)
      } else if (entry.isFile()) {
        const rel = relative(config.root, path).split(sep).join('/')
        if ((include(rel) || include(path)) && !(exclude?.(rel) || exclude?.(path))) found.push(path)
      }
    }
  }
  await walk(config.root)
  return found.sort()
}

/** Compiles task modules (cached); a bad option or a build failure becomes a one-line UsageError. */
export async function compileTaskModules(files: string[], config: ProjectConfig, onEvent?: (line: string) => void): Promise<CompiledModule[]> {
  const { compileModule } = await import('../compile/index.ts')
  const compiled: CompiledModule[] = []
  for (const file of files) {
    try {
      compiled.push(await compileModule(file, { root: config.root, cacheDir: config.cacheDir, defaults: config.defaults, buildTimeout: config.buildTimeout, onEvent }))
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`cannot read task module ${file}: no such file`)
      throw new UsageError(error instanceof Error && error.name === 'TaskModuleError' ? message : `cannot compile ${file}: ${message}`)
    }
  }
  return compiled
}
