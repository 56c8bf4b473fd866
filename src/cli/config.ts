// Project configuration for the CLI: `capsule.config.{ts,mts,mjs,js,json}` in the working
// directory (or `--config <file>`), `export default defineConfig({ defaults, cacheDir, ... })` —
// the plugin's options, so a bundler config can import the same file. A TypeScript config is
// bundled with esbuild (packages stay external) into a temporary .mjs next to it, imported, and
// deleted. Every problem is a UsageError naming the file (exit 2).
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { CapsuleConfigError, resolveOptions, type ResolvedCapsuleOptions } from '../plugin/options.ts'
import type { CapsuleOptions } from '../types.ts'
import { UsageError } from './usage-error.ts'

export const CONFIG_FILES = ['capsule.config.ts', 'capsule.config.mts', 'capsule.config.mjs', 'capsule.config.js', 'capsule.config.json']

export interface ProjectConfig extends ResolvedCapsuleOptions {
  /** The config file, or null when there is none. */
  file: string | null
}

async function importTypeScript(file: string): Promise<unknown> {
  const { build } = await import('esbuild')
  const result = await build({
    entryPoints: [file],
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    logLevel: 'silent',
  })
  // Next to the config, so its relative and package imports resolve as they would from it.
  const temporary = join(dirname(file), `.${basename(file)}.${Date.now()}-${randomBytes(4).toString('hex')}.mjs`)
  await writeFile(temporary, result.outputFiles[0]?.text ?? '')
  try {
    return await import(pathToFileURL(temporary).href)
  } finally {
    await rm(temporary, { force: true })
  }
}

async function readConfigFile(file: string): Promise<unknown> {
  if (file.endsWith('.json')) return JSON.parse(await readFile(file, 'utf8')) as unknown
  const module = (/\.m?ts$/.test(file) ? await importTypeScript(file) : await import(pathToFileURL(file).href)) as { default?: unknown }
  if (!('default' in module)) throw new Error('it has no default export: write `export default defineConfig({ ... })`')
  const config = typeof module.default === 'function' ? await (module.default as () => unknown)() : module.default
  return config
}

/** Finds and loads the project config; `explicit` is `--config`. Options are validated like the plugin's. */
export async function loadConfig(cwd: string, explicit?: string): Promise<ProjectConfig> {
  let file: string | null = null
  if (explicit !== undefined) {
    file = resolve(cwd, explicit)
    if (!existsSync(file)) throw new UsageError(`config file ${explicit} does not exist`)
  } else {
    file = CONFIG_FILES.map((name) => join(cwd, name)).find((candidate) => existsSync(candidate)) ?? null
  }
  if (file === null) return { ...resolveOptions({}, cwd), file }
  const shown = explicit ?? basename(file)
  let raw: unknown
  try {
    raw = await readConfigFile(file)
  } catch (error) {
    throw new UsageError(`cannot load ${shown}: ${error instanceof Error ? error.message : String(error)}`)
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new UsageError(`${shown}: the default export must be an object, e.g. defineConfig({ defaults: { timeout: '30s' } })`)
  const options = raw as CapsuleOptions
  try {
    // The project root is the working directory unless the config names one (relative to itself);
    // `cacheDir` is relative to the root.
    const root = typeof options.root === 'string' ? resolve(dirname(file), options.root) : cwd
    return { ...resolveOptions({ ...options, root }, cwd), file }
  } catch (error) {
    if (error instanceof CapsuleConfigError) throw new UsageError(`${shown}: ${error.message.replace(/^unplugin-capsule: /, '')}`)
    throw error
  }
}
