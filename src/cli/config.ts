// Project configuration for the CLI: `capsule.config.{ts,mts,mjs,js,json}` in the working
// directory (or `--config <file>`), read by plugin/project-config.ts — the same file the plugin
// reads — and validated like the plugin's options. Every problem is a UsageError naming the
// file (exit 2).
import { existsSync } from 'node:fs'
import { basename, resolve } from 'node:path'
import { CapsuleConfigError, resolveOptions, type ResolvedCapsuleOptions } from '../plugin/options.ts'
import { CONFIG_FILES, findConfigFile, loadConfigFile } from '../plugin/project-config.ts'
import { UsageError } from './usage-error.ts'

export { CONFIG_FILES }

export interface ProjectConfig extends ResolvedCapsuleOptions {
  /** The config file, or null when there is none. */
  file: string | null
}

/** Finds and loads the project config; `explicit` is `--config`. Options are validated like the plugin's. */
export async function loadConfig(cwd: string, explicit?: string): Promise<ProjectConfig> {
  let file: string | null
  if (explicit !== undefined) {
    file = resolve(cwd, explicit)
    if (!existsSync(file)) throw new UsageError(`config file ${explicit} does not exist`)
  } else {
    file = findConfigFile(cwd) ?? null
  }
  if (file === null) return { ...resolveOptions({}, cwd), file }
  const shown = explicit ?? basename(file)
  try {
    const { config } = await loadConfigFile(file, shown)
    // The project root is the working directory unless the config names one (relative to itself).
    return { ...resolveOptions({ ...config, root: config.root ?? cwd }, cwd), file }
  } catch (error) {
    if (error instanceof CapsuleConfigError) throw new UsageError(`${error.message.startsWith('cannot load') || error.message.startsWith(shown) ? '' : `${shown}: `}${error.message.replace(/^unplugin-capsule: /, '')}`)
    throw error
  }
}
