// Turns a failed snapshot into a build error at the user's own code: the engine reports the
// guest bundle's position (`capsule-guest.js:140:9 TypeError: …` and a `Stack:` of frames), the
// bundle's source map takes it back to the task module (or the file it imported) and its line.
import { resolve } from 'node:path'
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping'
import { GUEST_SOURCE_NAME } from './take-snapshot.ts'
import { displayPath } from '../../shared/display-path.ts'

export interface MappedPosition {
  file: string
  line: number
  column: number
}

export interface TopLevelFailure {
  /** The task module's own frame, else where the error was thrown (undefined: no source). */
  at?: MappedPosition
  /** Where the error was thrown, when that is not `at` (e.g. inside an imported file). */
  thrownAt?: MappedPosition
  /** The error as the engine printed it (`TypeError: …`), or the reason the snapshot stopped. */
  message: string
  /** Mapped stack frames, one per line (`name (file:line:column)`). */
  stack: string[]
}

const POSITION = new RegExp(`${GUEST_SOURCE_NAME.replace(/[.]/g, '\\.')}:(\\d+):(\\d+)`)

/**
 * `map` is the bundle's source map; its sources are relative to `mapDir`. The failure is placed
 * at the task module's own frame (`moduleFile`, as shown) when the stack has one, else where it
 * was thrown.
 */
export function mapTopLevelFailure(output: string, reason: string, map: string | undefined, mapDir: string, root: string, moduleFile: string): TopLevelFailure {
  const tracer = map ? new TraceMap(map) : undefined
  const locate = (line: number, column: number): MappedPosition | undefined => {
    if (!tracer) return undefined
    const original = originalPositionFor(tracer, { line, column: Math.max(0, column - 1) })
    if (!original.source || original.line === null) return undefined
    return { file: displayPath(resolve(mapDir, original.source), root), line: original.line, column: (original.column ?? 0) + 1 }
  }
  const lines = output.split('\n').map((line) => line.trim())
  const headline = lines.find((line) => line.startsWith(`${GUEST_SOURCE_NAME}:`))
  let message = reason
  let thrown: MappedPosition | undefined
  if (headline) {
    const match = POSITION.exec(headline)!
    message = headline.slice(match[0].length).trim() || reason
    thrown = locate(Number(match[1]), Number(match[2]))
  }
  const stack: string[] = []
  let inModule: MappedPosition | undefined
  const stackStart = lines.indexOf('Stack:')
  if (stackStart >= 0) {
    for (const frame of lines.slice(stackStart + 1)) {
      const match = POSITION.exec(frame)
      if (!match) {
        if (frame === '') break
        continue
      }
      const where = locate(Number(match[1]), Number(match[2]))
      const name = frame.slice(0, frame.indexOf('@')) || '<top level>'
      if (!where) continue
      stack.push(`${name} (${where.file}:${where.line}:${where.column})`)
      if (where.file === moduleFile) inModule ??= where
      thrown ??= where
    }
  }
  const at = inModule ?? thrown
  const same = (a?: MappedPosition, b?: MappedPosition) => a?.file === b?.file && a?.line === b?.line
  return { at, ...(thrown && !same(thrown, at) ? { thrownAt: thrown } : {}), message, stack }
}
