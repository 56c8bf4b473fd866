// `unplugin-capsule`: define tasks. With the plugin, a task module's exports become sandboxed
// calls. Imported from plain Node, `task()` does not run the function: it answers an
// internal_error envelope saying how to sandbox it. Only with CAPSULE_UNSANDBOXED=1 does it run
// the function directly (NOT sandboxed), warning once.
import type { CapsuleConfig, Envelope, Execution, TaskOptions } from './types.ts'

export type {
  AllowedFile, CapsuleConfig, CapsuleOptions, ComputeLevel, ComputeLevelName, DurationString, Envelope, ErrorType,
  Execution, FileMode, HostRequest, LogEntry, LogLevel, SizeString, TaskError, TaskOptions,
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

/** What the envelope says when a task module was imported without the plugin. */
const NOT_SANDBOXED =
  'not sandboxed: this task module was imported without the unplugin-capsule plugin, so the task did not run. ' +
  "Sandbox it: add the plugin to your bundler (e.g. `capsule()` from 'unplugin-capsule/vite', or capsuleTest() from " +
  "'unplugin-capsule/vitest' in Vitest), or run it with `npx capsule run <file>`. " +
  'To run it directly in Node, unsandboxed, set CAPSULE_UNSANDBOXED=1.'

function unsandboxedAllowed(): boolean {
  return process.env.CAPSULE_UNSANDBOXED === '1'
}

/** As the sandbox reports it: the error's name kept ('TypeError: nope'), like String(error). */
function messageOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}

export function task<A extends unknown[], R>(
  options: TaskOptions,
  fn: (...args: A) => R | Promise<R>,
): (...args: A) => Promise<Envelope<Awaited<R>>> {
  return async (...args: A): Promise<Envelope<Awaited<R>>> => {
    const startedAt = performance.now()
    const execution = (): Execution => ({
      task_name: options.name,
      duration_ms: Math.round((performance.now() - startedAt) * 100) / 100,
      retries: 0,
      fuel_consumed: 0,
      ram_used: 0,
      host_requests: [],
      logs: [],
    })
    if (!unsandboxedAllowed()) {
      return { success: false, result: null, error: { error_type: 'internal_error', message: NOT_SANDBOXED }, execution: execution() }
    }
    warnUnsandboxed(options.name)
    try {
      const result = await fn(...args)
      return { success: true, result, error: null, execution: execution() }
    } catch (error) {
      return { success: false, result: null, error: { error_type: 'task_error', message: messageOf(error) }, execution: execution() }
    }
  }
}

/** `capsule.config.*`: the plugin's options (defaults, cacheDir, ...) plus name, version, entrypoint. */
export function defineConfig(config: CapsuleConfig): CapsuleConfig {
  return config
}
