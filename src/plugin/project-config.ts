// Finds and reads the project config, `capsule.config.{ts,mts,mjs,js,json}` (or a named file):
// `export default defineConfig({ defaults, cacheDir, entrypoint, ... })`. Both the plugin and
// the CLI read it, so `vite build` and `capsule build` apply the same defaults. A TypeScript
// config is bundled with esbuild (packages stay external) into a temporary .mjs next to it,
// imported, and deleted. Problems throw CapsuleConfigError naming the file.
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { importOptional } from '../runtime/optional-dependency.ts'
import type { CapsuleConfig } from '../types.ts'
import { CapsuleConfigError } from './options.ts'
import { errorMessage } from '../shared/error-message.ts'

export const CONFIG_FILES = ['capsule.config.ts', 'capsule.config.mts', 'capsule.config.mjs', 'capsule.config.js', 'capsule.config.json']

export interface LoadedConfigFile {
  /** Absolute path of the config file. */
  file: string
  /** Its default export; `root` and `entrypoint` made absolute (they are relative to the file). */
  config: CapsuleConfig
}

async function importTypeScript(file: string): Promise<unknown> {
  const { build } = await importOptional(`loading ${basename(file)}`, () => import('esbuild'))
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
  return typeof module.default === 'function' ? await (module.default as () => unknown)() : module.default
}

/** The config file in `dir`, if any. */
export function findConfigFile(dir: string): string | undefined {
  return CONFIG_FILES.map((name) => join(dir, name)).find((candidate) => existsSync(candidate))
}

/** Reads one config file; `shown` names it in errors. */
export async function loadConfigFile(file: string, shown: string = basename(file)): Promise<LoadedConfigFile> {
  let raw: unknown
  try {
    raw = await readConfigFile(file)
  } catch (error) {
    throw new CapsuleConfigError(`cannot load ${shown}: ${errorMessage(error)}`)
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new CapsuleConfigError(`${shown}: the default export must be an object, e.g. defineConfig({ defaults: { timeout: '30s' } })`)
  }
  const config = { ...(raw as CapsuleConfig) }
  const here = dirname(file)
  if (typeof config.root === 'string' && config.root !== '') config.root = resolve(here, config.root)
  if (typeof config.entrypoint === 'string' && config.entrypoint !== '') config.entrypoint = resolve(here, config.entrypoint)
  return { file, config }
}

/**
 * The plugin's options over the project config: each option set in the plugin wins; `defaults`
 * merge per task option (the plugin's value wins).
 */
export function mergeConfig(fromFile: CapsuleConfig, fromPlugin: CapsuleConfig): CapsuleConfig {
  const merged: CapsuleConfig = { ...fromFile }
  for (const [key, value] of Object.entries(fromPlugin)) if (value !== undefined) (merged as Record<string, unknown>)[key] = value
  if (fromFile.defaults !== undefined && fromPlugin.defaults !== undefined) merged.defaults = { ...fromFile.defaults, ...fromPlugin.defaults }
  return merged
}
