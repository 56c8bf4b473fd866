// OpenTelemetry spans from the lifecycle events, when the application has `@opentelemetry/api`
// installed (an optional peer dependency: never bundled, loaded lazily, never required). One
// `capsule.call` span per call and one `capsule.attempt` child span per attempt; a sub-task's
// call span is a child of the caller's running attempt; a top-level call's parent is the
// caller's active context. Parents are set explicitly, so no context manager is needed for the
// nesting inside a call tree.
import type { Attributes, Span } from '@opentelemetry/api'
import type { CapsuleEvent } from './events.ts'

type OtelApi = typeof import('@opentelemetry/api')

let loading: Promise<OtelApi | null> | undefined

/**
 * The global @opentelemetry/api v1 keeps its registrations on (tracer provider, context
 * manager, ...): set once the application has started an SDK. Until then no span could be
 * recorded, so the API is not even loaded (~50–100 ms of CommonJS at a process's start).
 */
const API_GLOBAL = Symbol.for('opentelemetry.js.api.1')

export function otelRegistered(): boolean {
  return (globalThis as Record<symbol, unknown>)[API_GLOBAL] !== undefined
}

/** The application's own `@opentelemetry/api`, or null when it is not installed. */
export function loadOtel(): Promise<OtelApi | null> {
  loading ??= import('@opentelemetry/api').then((api) => (api.trace ? api : null), () => null)
  return loading
}

interface OpenCall {
  span: Span
  attempt?: Span
}

/** A lifecycle listener that turns events into spans on the global tracer provider. */
export function spanListener(api: OtelApi): (event: CapsuleEvent) => void {
  const tracer = api.trace.getTracer('unplugin-capsule')
  const open = new Map<string, OpenCall>()
  return (event) => {
    switch (event.type) {
      case 'call:queued': {
        const parent = event.parentId ? open.get(event.parentId) : undefined
        const parentSpan = parent?.attempt ?? parent?.span
        const parentContext = parentSpan ? api.trace.setSpan(api.context.active(), parentSpan) : api.context.active()
        const attributes: Attributes = { 'capsule.call_id': event.callId, 'capsule.task': event.task, 'capsule.module': event.module }
        if (event.parentId) attributes['capsule.parent_id'] = event.parentId
        open.set(event.callId, { span: tracer.startSpan('capsule.call', { attributes }, parentContext) })
        break
      }
      case 'attempt:start': {
        const call = open.get(event.callId)
        if (!call) break
        call.attempt = tracer.startSpan('capsule.attempt', {
          attributes: { 'capsule.task': event.task, 'capsule.module': event.module, 'capsule.attempt': event.attempt },
        }, api.trace.setSpan(api.context.active(), call.span))
        break
      }
      case 'attempt:end': {
        const call = open.get(event.callId)
        if (!call?.attempt) break
        call.attempt.setAttributes({ 'capsule.fuel': event.fuel, 'capsule.ram': event.ram })
        if (event.error_type) {
          call.attempt.setAttribute('capsule.error_type', event.error_type)
          call.attempt.setStatus({ code: api.SpanStatusCode.ERROR, message: event.error_type })
        }
        call.attempt.end()
        call.attempt = undefined
        break
      }
      case 'call:end': {
        const call = open.get(event.callId)
        if (!call) break
        open.delete(event.callId)
        const { envelope } = event
        call.attempt?.end()
        call.span.setAttributes({
          'capsule.retries': envelope.execution.retries,
          'capsule.fuel': envelope.execution.fuel_consumed,
          'capsule.ram': envelope.execution.ram_used,
        })
        if (envelope.error) {
          call.span.setAttribute('capsule.error_type', envelope.error.error_type)
          call.span.setStatus({ code: api.SpanStatusCode.ERROR, message: envelope.error.message })
        }
        call.span.end()
        break
      }
      default:
        break
    }
  }
}
