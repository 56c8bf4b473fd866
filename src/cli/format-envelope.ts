// The readable summary `capsule run` prints when --json is not given. Everything that comes
// from the task goes through terminalSafe() first: a task cannot drive the user's terminal.
import pc from 'picocolors'
import { formatBytes } from '../options/ram.ts'
import type { Envelope } from '../types.ts'
import { terminalSafe } from './terminal-text.ts'

/** 1234567 → '1,234,567' (not Intl.NumberFormat: starting ICU costs a one-shot CLI ~20 ms). */
function groupThousands(count: number): string {
  return String(count).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

function formatResult(result: unknown): string {
  return terminalSafe(typeof result === 'string' ? result : JSON.stringify(result, null, 2), true)
}

export function formatEnvelope(envelope: Envelope): string {
  const { execution } = envelope
  const lines: string[] = []
  const timing = `${execution.duration_ms} ms`
  if (envelope.success) {
    lines.push(`${pc.green('✔')} ${pc.bold(terminalSafe(execution.task_name))} succeeded in ${timing}`)
    lines.push(formatResult(envelope.result))
  } else {
    const { error } = envelope
    lines.push(`${pc.red('✖')} ${pc.bold(terminalSafe(execution.task_name))} failed in ${timing}: ${pc.red(terminalSafe(error.error_type))}`)
    lines.push(pc.red(terminalSafe(error.message, true)))
  }
  for (const log of execution.logs) {
    const colour = log.level === 'error' ? pc.red : log.level === 'warn' ? pc.yellow : pc.dim
    lines.push(`${colour(`[${terminalSafe(log.level)}]`)} ${terminalSafe(log.message)}`)
  }
  for (const request of execution.host_requests) {
    lines.push(`${pc.cyan(`[http]`)} ${terminalSafe(request.method)} ${terminalSafe(request.url)} → ${request.status ?? 'failed'} (${request.duration_ms} ms)`)
  }
  lines.push(pc.dim(usage(execution)))
  return lines.join('\n')
}

/**
 * Fuel, memory and retries. An attempt that ran to its end always measured its memory (the
 * snapshot alone is ~9 MiB), so 0 means none did: stopped by its timeout (its worker is gone
 * before the counters can be read) or never started. That is said, not printed as `fuel 0`.
 */
function usage(execution: Envelope['execution']): string {
  const retries = `retries ${execution.retries}`
  if (execution.ram_used === 0) return `fuel and memory not measured (the sandbox was stopped or never started) · ${retries}`
  return `fuel ${groupThousands(execution.fuel_consumed)} · ram ${formatBytes(execution.ram_used)} · ${retries}`
}
