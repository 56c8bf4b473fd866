// The plugin's options, resolved in one place: filter patterns, the project root, the cache
// directory, the manifest name and the project defaults (validated here, once, so a bad default
// fails the build before any task module is compiled).
import { isAbsolute, resolve } from 'node:path'
import { OptionError, resolveDefaults, type TaskDefaults } from '../options/index.ts'
import { parseDuration } from '../options/timeout.ts'
import { DEFAULT_MANIFEST_NAME } from '../formats/manifest.ts'
import type { CapsuleConfig, CapsuleOptions } from '../types.ts'

export type FilterPattern = NonNullable<CapsuleOptions['include']>

/** `*.capsule.{ts,mts,js,mjs}`, ignoring a query string. */
export const DEFAULT_INCLUDE: FilterPattern = /\.capsule\.(?:ts|mts|js|mjs)(?:\?.*)?$/

export interface ResolvedCapsuleOptions {
  include: FilterPattern
  exclude: FilterPattern | undefined
  /** Absolute. */
  root: string
  /** Absolute. */
  cacheDir: string
  /** File name of the emitted manifest, or false for none. */
  manifest: string | false
  defaults: TaskDefaults | undefined
  /** Milliseconds a task module's top-level code may run at build time. */
  buildTimeout: number
  /** Project metadata (capsule.config): the task module `capsule run` runs without a file, absolute. */
  entrypoint?: string
  name?: string
  version?: string
}

export class CapsuleConfigError extends Error {
  override name = 'CapsuleConfigError'
}

const KNOWN_KEYS = ['include', 'exclude', 'defaults', 'cacheDir', 'manifest', 'root', 'buildTimeout', 'name', 'version', 'entrypoint']
/** The default budget for a module's top-level code at build time. */
const DEFAULT_BUILD_TIMEOUT = '60s'

/** The project metadata fields: optional non-empty strings. */
function checkMetadata(options: CapsuleConfig): void {
  for (const key of ['name', 'version', 'entrypoint'] as const) {
    const value = options[key]
    if (value !== undefined && (typeof value !== 'string' || value.trim() === '')) {
      const example = key === 'entrypoint' ? "'src/main.capsule.ts'" : key === 'version' ? "'1.0.0'" : "'my-workflow'"
      throw new CapsuleConfigError(`unplugin-capsule: option "${key}" must be a non-empty string, e.g. ${example}, got ${JSON.stringify(value)}`)
    }
  }
}

function checkManifestName(value: unknown): string | false {
  if (value === undefined) return DEFAULT_MANIFEST_NAME
  if (value === false) return false
  if (typeof value !== 'string' || value === '' || isAbsolute(value) || value.replace(/\\/g, '/').split('/').includes('..') || !value.endsWith('.json')) {
    throw new CapsuleConfigError(`unplugin-capsule: option "manifest" must be a relative file name ending in .json (e.g. 'capsule.manifest.json') or false, got ${JSON.stringify(value)}`)
  }
  return value.replace(/\\/g, '/').replace(/^(\.\/)+/, '')
}

/** Validates user options; `root` is the bundler's root when the user did not set one. */
export function resolveOptions(options: CapsuleConfig = {}, bundlerRoot: string = process.cwd()): ResolvedCapsuleOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new CapsuleConfigError(`unplugin-capsule: options must be an object, got ${JSON.stringify(options)}`)
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_KEYS.includes(key)) throw new CapsuleConfigError(`unplugin-capsule: unknown option "${key}"; accepted: ${KNOWN_KEYS.join(', ')}`)
  }
  checkMetadata(options)
  if (options.root !== undefined && (typeof options.root !== 'string' || options.root === '')) {
    throw new CapsuleConfigError(`unplugin-capsule: option "root" must be a directory path, got ${JSON.stringify(options.root)}`)
  }
  const root = resolve(bundlerRoot, options.root ?? '.')
  if (options.defaults !== undefined) {
    try {
      resolveDefaults(options.defaults, { root })
    } catch (error) {
      if (error instanceof OptionError) throw new CapsuleConfigError(`unplugin-capsule: ${error.message}`)
      throw error
    }
  }
  if (options.cacheDir !== undefined && (typeof options.cacheDir !== 'string' || options.cacheDir === '')) {
    throw new CapsuleConfigError(`unplugin-capsule: option "cacheDir" must be a directory path, got ${JSON.stringify(options.cacheDir)}`)
  }
  let buildTimeout: number
  try {
    buildTimeout = parseDuration(options.buildTimeout ?? DEFAULT_BUILD_TIMEOUT, 'buildTimeout')
  } catch (error) {
    if (error instanceof OptionError) throw new CapsuleConfigError(`unplugin-capsule: ${error.message}`)
    throw error
  }
  return {
    include: options.include ?? DEFAULT_INCLUDE,
    exclude: options.exclude,
    root,
    cacheDir: resolve(root, options.cacheDir ?? 'node_modules/.cache/capsule'),
    manifest: checkManifestName(options.manifest),
    defaults: options.defaults,
    buildTimeout,
    ...(options.entrypoint !== undefined ? { entrypoint: resolve(root, options.entrypoint) } : {}),
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(options.version !== undefined ? { version: options.version } : {}),
  }
}
