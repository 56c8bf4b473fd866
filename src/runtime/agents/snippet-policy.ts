// The limits of runJavaScript() and sessions: the task options a caller may set for a snippet,
// validated by the same option parsers as task() and resolved into the policy the host enforces.
// Safe by default: no files, hosts or env; 5 s and 64 MB.
import { OptionError, resolveTaskOptions, type ResolvedPolicy } from '../../options/index.ts'
import type { TaskOptions } from '../../types.ts'
import { CapsuleError } from '../errors.ts'

/** The task options a snippet may be given (per call, or per session). */
export type SnippetLimits = Pick<TaskOptions, 'compute' | 'ram' | 'timeout' | 'allowedFiles' | 'allowedHosts' | 'envVariables'>

export const SNIPPET_LIMITS = ['compute', 'ram', 'timeout', 'allowedFiles', 'allowedHosts', 'envVariables'] as const

export const SNIPPET_DEFAULTS = { timeout: '5s', ram: '64MB' } as const satisfies SnippetLimits

export type SnippetPolicy = Omit<ResolvedPolicy, 'name'>

/**
 * Resolves `limits` (unknown keys refused; `allowedFiles` relative to `root`) over the safe
 * defaults. `where` names the caller in error messages. Throws CapsuleError INVALID_RUN_OPTIONS.
 */
export function snippetPolicy(limits: SnippetLimits, root: string, where: string, extraKeys: readonly string[] = []): SnippetPolicy {
  if (typeof limits !== 'object' || limits === null || Array.isArray(limits)) {
    throw new CapsuleError('INVALID_RUN_OPTIONS', `${where}: options must be an object`)
  }
  const raw: Record<string, unknown> = { name: 'snippet', ...SNIPPET_DEFAULTS }
  for (const [key, value] of Object.entries(limits)) {
    if (extraKeys.includes(key)) continue
    if (!(SNIPPET_LIMITS as readonly string[]).includes(key)) {
      throw new CapsuleError('INVALID_RUN_OPTIONS', `${where}: unknown option "${key}"; accepted: ${[...SNIPPET_LIMITS, ...extraKeys].join(', ')}`)
    }
    if (value !== undefined) raw[key] = value
  }
  try {
    const { name: _name, ...policy } = resolveTaskOptions(raw, { root })
    return policy
  } catch (error) {
    if (error instanceof OptionError) throw new CapsuleError('INVALID_RUN_OPTIONS', `${where}: ${error.message}`)
    throw error
  }
}
