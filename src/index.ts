// `unplugin-capsule`: define tasks. With the plugin, a task module's exports become sandboxed
// calls; imported from plain Node, `task()` runs the function directly (NOT sandboxed), warns
// once, and still answers an envelope so code written against the contract keeps working.
import type { CapsuleOptions, Envelope, TaskOptions } from './types.ts'

export type {
  AllowedFile, CapsuleOptions, ComputeLevel, Envelope, ErrorType, Execution, FileMode, HostRequest,
  LogEntry, LogLevel, TaskError, TaskOptions,
} from './types.ts'

let warned = false

function warnUnsandboxed(name: string): void {
  if (warned) return
  warned = true
  process.emitWarning(
    `task "${name}" ran directly in Node, NOT sandboxed: import task modules through the unplugin-capsule plugin (or run them with the capsule CLI) to sandbox them`,
    { code: 'CAPSULE_UNSANDBOXED' },
  )
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

export function task<A extends unknown[], R>(
  options: TaskOptions,
  fn: (...args: A) => R | Promise<R>,
): (...args: A) => Promise<Envelope<Awaited<R>>> {
  return async (...args: A) => {
    warnUnsandboxed(options.name)
    const startedAt = performance.now()
    const execution = () => ({
      task_name: options.name,
      duration_ms: Math.round((performance.now() - startedAt) * 100) / 100,
      retries: 0,
      fuel_consumed: 0,
      ram_used: 0,
      host_requests: [],
      logs: [],
    })
    try {
      const result = await fn(...args)
      return { success: true, result, error: null, execution: execution() }
    } catch (error) {
      return { success: false, result: null, error: { error_type: 'task_error', message: messageOf(error) }, execution: execution() }
    }
  }
}

/** Project defaults for `capsule.config.*`: the same shape as the plugin's options. */
export function defineConfig(config: CapsuleOptions): CapsuleOptions {
  return config
}
