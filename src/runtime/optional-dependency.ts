// The build toolchain (componentize-js, jco, wizer, binaryen, esbuild, oxc-parser, ...) and the MCP
// SDK are optionalDependencies: `npm install unplugin-capsule` brings them, a production install
// with `--omit=optional` leaves them out (the runtime and `capsule exec` need none of them). A
// feature that needs one loads it through importOptional(), or passes its failure through
// missingDependencyError(), so its absence is a one-line reason naming what to install instead of
// a bare ERR_MODULE_NOT_FOUND from deep inside the compiler.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { CapsuleError } from './errors.ts'
import { packageRoot } from '../version.ts'

let optional: Set<string> | undefined

/** This package's optionalDependencies (from its package.json, beside src/ and dist/). */
function optionalDependencies(): Set<string> {
  if (optional) return optional
  try {
    const manifest = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { optionalDependencies?: Record<string, string> }
    optional = new Set(Object.keys(manifest.optionalDependencies ?? {}))
  } catch {
    optional = new Set()
  }
  return optional
}

/** The package a failed import, require or resolve could not find, when it is one of our optional dependencies. */
export function missingPackage(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  if ((code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') || !(error instanceof Error)) return undefined
  const name = /Cannot find (?:package|module) '([^']+)'/.exec(error.message)?.[1]
  return name !== undefined && optionalDependencies().has(name) ? name : undefined
}

/** A CapsuleError saying what to install when `error` is a missing optional dependency; else undefined. */
export function missingDependencyError(feature: string, error: unknown): CapsuleError | undefined {
  const name = missingPackage(error)
  if (name === undefined) return undefined
  return new CapsuleError('MISSING_DEPENDENCY',
    `${feature} needs ${name}, an optional dependency of unplugin-capsule that is not installed (an install with --omit=optional has the runtime only): `
    + `install it with \`npm install unplugin-capsule\` (without --omit=optional), or build ahead and run the manifest (\`capsule exec\`, run({ manifest }))`)
}

/** Loads a feature's modules; a missing optional dependency becomes a CapsuleError saying what to install. */
export async function importOptional<T>(feature: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load()
  } catch (error) {
    throw missingDependencyError(feature, error) ?? error
  }
}
