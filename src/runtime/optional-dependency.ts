// The build toolchain (componentize-js, jco, wizer, binaryen, esbuild, oxc-parser, ...) and the MCP
// SDK are optionalDependencies: `npm install unplugin-capsule` brings them, a production install
// with `--omit=optional` leaves them out (the runtime and `capsule exec` need none of them). A
// feature that needs one imports it through importOptional(), so its absence is a one-line reason
// naming what to install instead of a bare ERR_MODULE_NOT_FOUND from deep inside the compiler.
import { CapsuleError } from './errors.ts'

/** The package a failed import could not find, when it is a missing package (not a broken file). */
export function missingPackage(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  if (code !== 'ERR_MODULE_NOT_FOUND' || !(error instanceof Error)) return undefined
  return /Cannot find package '([^']+)'/.exec(error.message)?.[1]
}

/** Loads a feature's modules; a missing optional dependency becomes a CapsuleError saying what to install. */
export async function importOptional<T>(feature: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load()
  } catch (error) {
    const name = missingPackage(error)
    if (name === undefined) throw error
    throw new CapsuleError('MISSING_DEPENDENCY',
      `${feature} needs ${name}, an optional dependency of unplugin-capsule that is not installed (an install with --omit=optional has the runtime only): `
      + `install it with \`npm install unplugin-capsule\` (without --omit=optional), or build ahead and run the manifest (\`capsule exec\`, run({ manifest }))`)
  }
}
