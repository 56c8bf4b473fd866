// A task module's top-level code runs at build time, inside wizer's snapshot. When it throws,
// componentize-js reports a position in the guest bundle (`…/guest.js:138:21 SyntaxError: …`)
// behind wizer's own lines. This finds that position, maps it through the bundle's source map
// and names the task module's own file:line:column instead.
import { SourceMap, type SourceMapPayload } from 'node:module'
import { GUEST_RUNTIME_SOURCE } from '../runtime/engine/layout.ts'
import { TaskModuleError } from './discover-tasks.ts'

const TOP_LEVEL = /Exception while evaluating top-level script\s*\n\s*\S*?guest\.js:(\d+):(\d+)\s+([^\n]*)/

/** A TaskModuleError at the task module's line when `error` is a top-level exception, else undefined. */
export function topLevelError(error: unknown, sourceMap: string): TaskModuleError | undefined {
  const match = TOP_LEVEL.exec(error instanceof Error ? error.message : String(error))
  if (!match) return undefined
  const entry = new SourceMap(JSON.parse(sourceMap) as SourceMapPayload).findEntry(Number(match[1]) - 1, Number(match[2]) - 1) as
    Partial<{ originalSource: string; originalLine: number; originalColumn: number }>
  if (!entry.originalSource || entry.originalSource.startsWith(GUEST_RUNTIME_SOURCE)) return undefined
  const reason = `top-level code threw at build time (it runs once, when the module is snapshotted): ${match[3]!.trim()}`
  return TaskModuleError.at(entry.originalSource, (entry.originalLine ?? 0) + 1, (entry.originalColumn ?? 0) + 1, reason, undefined, error)
}
