// runJavaScript(code, options?): runs a code string in a fresh sandbox of the prebuilt snippet
// module and answers its envelope (result = the code's completion value, a promise awaited).
// The limits come from the caller, are validated on the host and enforced by the runtime like
// any task policy; nothing is compiled at run time.
import { resolve } from 'node:path'
import type { Envelope } from '../../types.ts'
import { CapsuleError } from '../errors.ts'
import { createPolicyRuntime, type PolicyRuntime } from '../runtime.ts'
import { snippetOrRefusal } from './prepare-snippet.ts'
import { SNIPPET_TASK, snippetManifest } from './snippet-artifact.ts'
import { snippetPolicy, type SnippetLimits } from './snippet-policy.ts'

export interface RunJavaScriptOptions extends SnippetLimits {
  /** Root for `allowedFiles` and `.env` (default process.cwd()). */
  cwd?: string
  /** Abort: the run is stopped and answered with error_type 'timeout'. */
  signal?: AbortSignal
}

let shared: PolicyRuntime | undefined

/** The runtime behind runJavaScript (idle workers never keep the process alive). */
export function snippetRuntime(): PolicyRuntime {
  shared ??= createPolicyRuntime()
  return shared
}

export async function runJavaScript(code: string, options: RunJavaScriptOptions = {}): Promise<Envelope> {
  if (typeof code !== 'string') throw new CapsuleError('INVALID_RUN_OPTIONS', `runJavaScript(code): code must be a string, got ${code === null ? 'null' : typeof code}`)
  const cwd = resolve(options.cwd ?? process.cwd())
  const policy = snippetPolicy(options, cwd, 'runJavaScript', ['cwd', 'signal'])
  const manifest = snippetManifest()
  const startedAt = performance.now()
  const prepared = await snippetOrRefusal(code, startedAt)
  if ('refusal' in prepared) return prepared.refusal
  const { script } = prepared
  return snippetRuntime().runWithPolicy({ manifest, task: SNIPPET_TASK, args: [script], cwd, signal: options.signal }, policy)
}
