// Publishes calls on node:diagnostics_channel, the way undici and fastify do, so APM tools can
// subscribe without depending on this package:
// - `capsule:call` is a tracingChannel: each call (sub-tasks too) is traced with `tracePromise`
//   (start, end, asyncStart, asyncEnd, error); the context object is the call's identity
//   (`callId`, `parentId`, `task`, `module`) and gets `result` (the envelope) when it answers.
// - `capsule:event` is a plain channel that carries every typed lifecycle event.
// Nothing is wrapped or built while nobody subscribes.
import diagnostics from 'node:diagnostics_channel'
import type { CallIdentity, CapsuleEvent } from './events.ts'

export const CALL_CHANNEL = 'capsule:call'
export const EVENT_CHANNEL = 'capsule:event'

const callChannel = diagnostics.tracingChannel<object, CallIdentity & { result?: unknown }>(CALL_CHANNEL)
const eventChannel = diagnostics.channel(EVENT_CHANNEL)

/** Runs one call under the `capsule:call` tracing channel (only when someone listens). */
export function traceCall<T>(who: CallIdentity, fn: () => Promise<T>): Promise<T> {
  if (!callChannel.hasSubscribers) return fn()
  return callChannel.tracePromise(fn, { ...who })
}

export function publishEvent(event: CapsuleEvent): void {
  if (eventChannel.hasSubscribers) eventChannel.publish(event)
}
