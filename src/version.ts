// The package's folder and version, read once from package.json (beside src/ and dist/, so one
// '../' reaches it from the sources and from the built chunks). The CLI prints the version; build
// outputs record it; the shipped toolchain is found under the folder.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const packageRoot: string = fileURLToPath(new URL('..', import.meta.url))

export const version: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version
