// `capsule mcp --eval`: the execute_javascript tool, backed by runJavaScript() with the limits
// given on the command line (validated once, at start-up, like task options).
import { formatBytes } from '../options/ram.ts'
import { formatDuration } from '../options/timeout.ts'
import { runJavaScript } from '../runtime/agents/run-javascript.ts'
import { snippetPolicy, type SnippetLimits } from '../runtime/agents/snippet-policy.ts'
import type { CapsuleTool } from './tool.ts'

export const EVAL_TOOL_NAME = 'execute_javascript'

function describeLimits(limits: SnippetLimits, cwd: string): string {
  const policy = snippetPolicy(limits, cwd, 'capsule mcp --eval')
  const files = policy.files.length > 0 ? policy.files.map((grant) => `${grant.path} (${grant.mode})`).join(', ') : 'none'
  return [
    `timeout ${policy.timeout === null ? 'none' : formatDuration(policy.timeout)}`,
    `memory ${policy.ram === null ? 'unlimited' : formatBytes(policy.ram)}`,
    `fuel ${policy.fuel.toLocaleString('en-US')}`,
    `network: ${policy.hosts.length > 0 ? policy.hosts.join(', ') : 'none'}`,
    `directories: ${files}`,
    `env: ${policy.env.length > 0 ? policy.env.join(', ') : 'none'}`,
  ].join('; ')
}

/** The tool; throws CapsuleError INVALID_RUN_OPTIONS when the limits are invalid. */
export function evalTool(limits: SnippetLimits, cwd: string): CapsuleTool {
  return {
    name: EVAL_TOOL_NAME,
    description: [
      'Runs JavaScript in a fresh, isolated WebAssembly sandbox (SpiderMonkey) and answers the value of its last expression',
      '(a promise is awaited; top-level await works), its console output, and what it used.',
      'No imports and no Node APIs; `fetch`, and the globals `fs` (node:fs subset) and `path` are available but policed.',
      `Limits: ${describeLimits(limits, cwd)}.`,
    ].join(' '),
    inputSchema: {
      type: 'object',
      properties: { code: { type: 'string', description: 'JavaScript source (a script, not a module)' } },
      required: ['code'],
    },
    async call(input, signal) {
      const code = input?.code
      if (typeof code !== 'string') return 'the input property "code" must be a string of JavaScript'
      return runJavaScript(code, { ...limits, cwd, signal })
    },
  }
}
