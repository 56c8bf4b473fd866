// Maps a task error's stack from the sandbox back to the task module's own sources. SpiderMonkey
// writes frames as `fn@guest.js:LINE:COL` against the guest bundle; the bundle's source map
// (stored beside the module's snapshot) turns each into `at fn (tasks/x.capsule.ts:12:9)`.
// Frames in the package's own guest runtime, or that map nowhere, are left out.
import { readFileSync } from 'node:fs'
import { SourceMap, type SourceMapPayload } from 'node:module'
import { join } from 'node:path'
import { GUEST_RUNTIME_SOURCE, SOURCE_MAP_FILE } from '../formats/layout.ts'

/** `(message, raw stack)` → the mapped stack, or undefined when no frame maps to user code. */
export type StackMapper = (message: string, stack: string) => string | undefined

const FRAME = /^(?<name>.*)@(?<file>.*?):(?<line>\d+):(?<column>\d+)$/
const maps = new Map<string, SourceMap | null>()

function sourceMapOf(moduleDir: string): SourceMap | null {
  let map = maps.get(moduleDir)
  if (map === undefined) {
    try {
      map = new SourceMap(JSON.parse(readFileSync(join(moduleDir, SOURCE_MAP_FILE), 'utf8')) as SourceMapPayload)
    } catch {
      map = null // an artifact without a map (older build): stacks stay unmapped
    }
    maps.set(moduleDir, map)
  }
  return map
}

function mapFrame(map: SourceMap, line: string): string | undefined {
  const frame = FRAME.exec(line.trim())?.groups
  if (!frame) return undefined
  const entry = map.findEntry(Number(frame.line) - 1, Number(frame.column) - 1) as Partial<{ originalSource: string; originalLine: number; originalColumn: number }>
  if (!entry.originalSource || entry.originalSource.startsWith(GUEST_RUNTIME_SOURCE)) return undefined
  const where = `${entry.originalSource}:${(entry.originalLine ?? 0) + 1}:${(entry.originalColumn ?? 0) + 1}`
  const name = frame.name!.replace(/^async\*/, '').replace(/[/<]+$/, '')
  return name ? `    at ${name} (${where})` : `    at ${where}`
}

/** The mapper for one module's artifact directory. */
export function stackMapperFor(moduleDir: string): StackMapper {
  return (message, stack) => {
    const map = sourceMapOf(moduleDir)
    if (!map) return undefined
    const frames = stack.split('\n').map((line) => mapFrame(map, line)).filter((frame): frame is string => frame !== undefined)
    return frames.length > 0 ? [message, ...frames].join('\n') : undefined
  }
}
