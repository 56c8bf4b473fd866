// Wires a runtime's lifecycle: the event emitter with its subscribers (diagnostics_channel
// always, OpenTelemetry spans when `@opentelemetry/api` is installed and an SDK registered), the
// module name events carry, and the adapter that turns the compiler's progress lines into
// compile events.
import type { ModuleArtifact } from './artifact.ts'
import { publishEvent } from './diagnostics.ts'
import { CallEvents, type CallIdentity, type CapsuleEvent } from './events.ts'
import { loadOtel, otelRegistered, spanListener } from './otel.ts'
import { errorMessage } from '../shared/error-message.ts'
import { displayPath } from '../shared/display-path.ts'

export interface Lifecycle {
  events: CallEvents
  /**
   * Attaches the optional subscribers that can be attached by now: await it before a call's
   * first event. OpenTelemetry spans start once the application has registered with the API
   * (an SDK started before or after this runtime was made); until then the API is not loaded.
   */
  ready: () => Promise<void>
}

export function createLifecycle(onEvent?: (event: CapsuleEvent) => void): Lifecycle {
  const events = new CallEvents(onEvent)
  events.on('*', publishEvent)
  let spans: Promise<void> | undefined
  const none = Promise.resolve()
  const ready = (): Promise<void> => {
    if (!spans && !otelRegistered()) return none
    spans ??= loadOtel().then((api) => {
      if (api) events.on('*', spanListener(api))
    })
    return spans
  }
  return { events, ready }
}

/** The module name events carry: the source relative to its project root when inside it. */
export function moduleName(artifact: Pick<ModuleArtifact, 'source' | 'root'>): string {
  return displayPath(artifact.source, artifact.root)
}

/** What the module resolver reports while it asks the compiler for a module. */
export interface CompileReporter {
  start(): void
  /** A progress line from the compiler. */
  line(message: string): void
  end(error?: unknown): void
}

/**
 * Compile events for one call. The compiler speaks in lines; it says "cache miss" (or that it
 * is componentizing) when it really compiles, so a compile without such a line was a cache hit.
 */
export function compileReporter(events: CallEvents, who: CallIdentity, perRun?: (event: CapsuleEvent) => void): CompileReporter {
  let started = 0
  let compiled = false
  return {
    start() {
      started = performance.now()
      events.emit(who, { type: 'compile:start' }, perRun)
    },
    line(message) {
      if (/cache miss|componentiz/i.test(message)) compiled = true
      events.emit(who, { type: 'compile:progress', message }, perRun)
    },
    end(error) {
      const duration_ms = Math.round(performance.now() - started)
      const failure = error === undefined ? {} : { error: errorMessage(error) }
      events.emit(who, { type: 'compile:end', cacheHit: !compiled, duration_ms, ...failure }, perRun)
    },
  }
}
