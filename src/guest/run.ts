// The guest's exported `run`: finds the task, applies the call context, awaits the task and
// turns its outcome into the WIT result (ok: JSON result; err: JSON {error_type, message}).
// Nothing thrown escapes: an uncaught non-string exception would trap without a message.
// It also registers a no-op warm-up task that the build calls once through the `run` export
// while the snapshot is made (compile/snapshot/take-snapshot.ts), so every sandbox starts with
// SpiderMonkey's lazy compilation of the call path already done.
import { reportError } from './error-report.ts'
import { findTask, registerTask } from './registry.ts'
import { formatLogLine } from './format.ts'
import { applyCallContext, ProcessExit, type CallContext } from './process.ts'

class InvalidOutput extends Error {}

function serializeResult(value: unknown): string {
  let json: string | undefined
  try {
    json = JSON.stringify({ result: value === undefined ? null : value }, (_key, v: unknown) => {
      if (typeof v === 'bigint') throw new InvalidOutput('a BigInt is not a JSON value')
      if (typeof v === 'function') throw new InvalidOutput('a function is not a JSON value')
      if (typeof v === 'symbol') throw new InvalidOutput('a symbol is not a JSON value')
      return v
    })
  } catch (error) {
    if (error instanceof InvalidOutput) throw error
    throw new InvalidOutput(`the result is not JSON-serializable: ${error instanceof Error ? error.message : String(error)}`)
  }
  if (json === undefined) throw new InvalidOutput('the result is not JSON-serializable')
  return json
}

function errorTypeOf(error: unknown): string {
  if (error instanceof InvalidOutput) return 'invalid_output'
  const tagged = error as { name?: unknown; code?: unknown } | null
  // Only a claim: the host accepts it only if it really denied something during this call.
  if (tagged && (tagged.name === 'PermissionDenied' || tagged.code === 'EACCES')) return 'permission_denied'
  return 'task_error'
}

function failure(error_type: string, error: unknown): string {
  // Our own reasons (invalid output) are plain sentences: no name, no stack.
  if (error instanceof InvalidOutput) return JSON.stringify({ error_type, message: error.message })
  return JSON.stringify({ error_type, ...reportError(error) })
}

export async function run(taskName: string, argsJson: string, contextJson: string): Promise<string> {
  let outcome: string
  try {
    applyCallContext(JSON.parse(contextJson) as CallContext)
    const fn = findTask(taskName)
    if (!fn) throw failure('invalid_input', `unknown task "${taskName}"`)
    const args = JSON.parse(argsJson) as unknown[]
    let value: unknown
    try {
      value = await fn(...args)
    } catch (error) {
      if (error instanceof ProcessExit && error.code === 0) value = null
      else throw failure(errorTypeOf(error), error)
    }
    outcome = serializeResult(value)
  } catch (error) {
    if (typeof error === 'string') throw error
    throw failure(errorTypeOf(error), error)
  }
  return outcome
}

/** Not a valid task name (`:`), so no task module can define or shadow it (compile/snapshot/protocol.ts names it too). */
const WARM_UP_TASK = 'capsule:warm-up'

/**
 * The task the build calls once through the `run` export (inside the snapshot), touching no host
 * import; it also formats a log line (pure) so console output starts compiled too. Each call then
 * starts from a snapshot where this path is compiled: less time and fuel per call, and fuel stays
 * deterministic (every call starts from the same snapshot).
 */
registerTask(WARM_UP_TASK, () => ({ warm: [true, 1, 'up', null], line: formatLogLine(['warm-up', 1, { up: [true, null] }]) }))
