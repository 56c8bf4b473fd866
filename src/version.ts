// The package version, read once from package.json (beside src/ and dist/, so one '../' reaches it
// from the sources and from the built chunks). The CLI prints it; build outputs record it.
import { readFileSync } from 'node:fs'

export const version: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version
