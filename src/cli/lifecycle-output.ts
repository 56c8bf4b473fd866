// Subscribers for `capsule run|exec`: `--verbose` prints lifecycle events as readable lines on
// stderr; `--trace FILE` appends every event to FILE as one JSON line (written synchronously,
// so the file is complete and in order even when the process exits right after the call).
import { appendFileSync, mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import pc from 'picocolors'
import type { CapsuleEvent } from '../runtime/index.ts'
import { UsageError } from './usage-error.ts'

export type EventSink = (event: CapsuleEvent) => void

export function verboseLine(event: CapsuleEvent): string {
  const call = `${event.task} (${event.callId}${event.parentId ? ` ← ${event.parentId}` : ''})`
  switch (event.type) {
    case 'compile:start': return `compiling ${event.module}`
    case 'compile:progress': return event.message
    case 'compile:end': return event.error
      ? `compile of ${event.module} failed after ${event.duration_ms} ms`
      : `${event.module} ready in ${event.duration_ms} ms (${event.cacheHit ? 'cache hit' : 'compiled'})`
    case 'call:queued': return `${call} queued`
    case 'call:start': return `${call} started`
    case 'attempt:start': return `${call} attempt ${event.attempt}`
    case 'attempt:end': return `${call} attempt ${event.attempt} ${event.success ? 'succeeded' : `failed: ${event.error_type}`} (${event.duration_ms} ms, fuel ${event.fuel}, ram ${event.ram})`
    case 'call:retry': return `${call} retrying (attempt ${event.attempt}) after ${event.error_type}`
    case 'call:end': return `${call} answered ${event.envelope.success ? 'success' : event.envelope.error?.error_type} in ${event.envelope.execution.duration_ms} ms`
  }
}

export function verbosePrinter(): EventSink {
  return (event) => process.stderr.write(`${pc.dim('[capsule]')} ${verboseLine(event)}\n`)
}

/** Appends events to `file` as JSON lines; checks up front that the file can be written. */
export function traceWriter(file: string): EventSink {
  const path = resolve(file)
  try {
    mkdirSync(dirname(path), { recursive: true })
    appendFileSync(path, '')
  } catch (error) {
    throw new UsageError(`--trace cannot write ${file}: ${(error as Error).message}`)
  }
  return (event) => appendFileSync(path, `${JSON.stringify(event)}\n`)
}

/** The run's one listener: every sink that was asked for. */
export function eventSinks(flags: { verbose?: boolean, trace?: string }, ...more: EventSink[]): EventSink | undefined {
  if (flags.trace !== undefined && (typeof flags.trace !== 'string' || flags.trace === '')) throw new UsageError('--trace needs a file name, e.g. --trace trace.jsonl')
  const sinks = [...(flags.verbose ? [verbosePrinter()] : []), ...(flags.trace ? [traceWriter(flags.trace)] : []), ...more]
  if (sinks.length === 0) return undefined
  return (event) => {
    for (const sink of sinks) sink(event)
  }
}
