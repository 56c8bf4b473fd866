// The readable summary `capsule run` prints when --json is not given.
import pc from 'picocolors'
import type { Envelope } from '../types.ts'

const numberFormat = new Intl.NumberFormat('en-US')

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  const units = ['KiB', 'MiB', 'GiB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`
}

function formatResult(result: unknown): string {
  return typeof result === 'string' ? result : JSON.stringify(result, null, 2)
}

export function formatEnvelope(envelope: Envelope): string {
  const { execution } = envelope
  const lines: string[] = []
  const timing = `${execution.duration_ms} ms`
  if (envelope.success) {
    lines.push(`${pc.green('✔')} ${pc.bold(execution.task_name)} succeeded in ${timing}`)
    lines.push(formatResult(envelope.result))
  } else {
    const error = envelope.error!
    lines.push(`${pc.red('✖')} ${pc.bold(execution.task_name)} failed in ${timing}: ${pc.red(error.error_type)}`)
    lines.push(pc.red(error.message))
  }
  for (const log of execution.logs) {
    const colour = log.level === 'error' ? pc.red : log.level === 'warn' ? pc.yellow : pc.dim
    lines.push(`${colour(`[${log.level}]`)} ${log.message}`)
  }
  for (const request of execution.host_requests) {
    lines.push(`${pc.cyan(`[http]`)} ${request.method} ${request.url} → ${request.status ?? 'failed'} (${request.duration_ms} ms)`)
  }
  lines.push(pc.dim(
    `fuel ${numberFormat.format(execution.fuel_consumed)} · ram ${formatBytes(execution.ram_used)} · retries ${execution.retries}`,
  ))
  return lines.join('\n')
}
