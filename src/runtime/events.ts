// Typed lifecycle events of a runtime (a discriminated union on `type`) and the small emitter
// that fans them out: the runtime's `onEvent`, `runtime.on(type, fn)` listeners, one run's own
// `onEvent`, diagnostics_channel and OpenTelemetry. It also keeps the table of calls in flight
// behind `runtime.calls()`. A listener that throws never breaks a call.
import type { Envelope, ErrorType } from '../types.ts'
import { errorMessage } from '../shared/error-message.ts'

interface EventBase {
  /** Unique per call within the process: `c1`, `c2`, …; a queued call keeps its job id. */
  callId: string
  /** The calling call, for a sub-task. */
  parentId?: string
  task: string
  /** The task module's source path (relative to its project root when inside it). */
  module: string
  /** Wall clock, ms since the epoch. */
  at: number
}

/** Accepted, waiting for a worker. */
export interface CallQueuedEvent extends EventBase { type: 'call:queued' }
/** A worker took the call (its first attempt begins). */
export interface CallStartEvent extends EventBase { type: 'call:start' }
/** One attempt (1-based) begins in a fresh sandbox. */
export interface AttemptStartEvent extends EventBase { type: 'attempt:start', attempt: number }
export interface AttemptEndEvent extends EventBase {
  type: 'attempt:end'
  attempt: number
  success: boolean
  error_type: ErrorType | null
  fuel: number
  ram: number
  duration_ms: number
}
/** The attempt failed and another one follows (`attempt` is the next one's number). */
export interface CallRetryEvent extends EventBase { type: 'call:retry', attempt: number, error_type: ErrorType }
export interface CallEndEvent extends EventBase { type: 'call:end', envelope: Envelope }
/** The runtime asks the compiler for a task module (first use in this runtime, or an input changed). */
export interface CompileStartEvent extends EventBase { type: 'compile:start' }
/** A line from the compiler while it works (cache hit/miss, componentizing, engine reuse). */
export interface CompileProgressEvent extends EventBase { type: 'compile:progress', message: string }
export interface CompileEndEvent extends EventBase {
  type: 'compile:end'
  /** The compiled artifact came from the compile cache. */
  cacheHit: boolean
  duration_ms: number
  /** Set when the module did not compile (the run rejects with this message). */
  error?: string
}

export type CapsuleEvent =
  | CallQueuedEvent | CallStartEvent | AttemptStartEvent | AttemptEndEvent | CallRetryEvent | CallEndEvent
  | CompileStartEvent | CompileProgressEvent | CompileEndEvent

export type CapsuleEventType = CapsuleEvent['type']
export type CapsuleEventOf<T extends CapsuleEventType> = Extract<CapsuleEvent, { type: T }>
export type CapsuleEventListener<T extends CapsuleEventType = CapsuleEventType> = (event: CapsuleEventOf<T>) => void

export type CallState = 'queued' | 'running' | 'retrying'

/** A call in flight, as `runtime.calls()` lists it. */
export interface CallInfo {
  callId: string
  parentId?: string
  task: string
  module: string
  state: CallState
  /** The attempt running or about to run (0 while queued). */
  attempt: number
  /** When the call was queued (ms since the epoch). */
  since: number
}

/** Who a call is, as every one of its events repeats it. */
export type CallIdentity = Pick<EventBase, 'callId' | 'parentId' | 'task' | 'module'>

/** Distributive Omit, so each member of the union keeps its own fields. */
type EventInput<E> = E extends CapsuleEvent ? Omit<E, 'at' | keyof CallIdentity> : never

let callCounter = 0

export function newCallId(): string {
  return `c${++callCounter}`
}

export class CallEvents {
  private readonly listeners = new Map<CapsuleEventType | '*', Set<(event: CapsuleEvent) => void>>()
  private readonly inFlight = new Map<string, CallInfo>()

  constructor(private readonly onEvent?: (event: CapsuleEvent) => void) {}

  /** Subscribes to one event type (or '*' for all); returns the unsubscribe function. */
  on<T extends CapsuleEventType>(type: T | '*', listener: CapsuleEventListener<T>): () => void {
    let set = this.listeners.get(type)
    if (!set) this.listeners.set(type, set = new Set())
    const fn = listener as (event: CapsuleEvent) => void
    set.add(fn)
    return () => set.delete(fn)
  }

  calls(): CallInfo[] {
    return [...this.inFlight.values()].map((info) => ({ ...info }))
  }

  /** Emits an event for a call, updates the calls-in-flight table, and tells `perRun` too. */
  emit(who: CallIdentity, input: EventInput<CapsuleEvent>, perRun?: (event: CapsuleEvent) => void): void {
    // Object.assign, not object spread: spreading this many shapes into one literal made V8 build
    // each event in dictionary mode (~950 bytes instead of ~280; 5 events per call)
    const event: CapsuleEvent = Object.assign({}, input, identity(who), { at: Date.now() })
    this.track(event)
    deliver(this.onEvent, event)
    deliver(perRun, event)
    this.deliverAll(this.listeners.get(event.type), event)
    this.deliverAll(this.listeners.get('*'), event)
  }

  private deliverAll(listeners: Set<(event: CapsuleEvent) => void> | undefined, event: CapsuleEvent): void {
    if (listeners) for (const listener of listeners) deliver(listener, event)
  }

  private track(event: CapsuleEvent): void {
    switch (event.type) {
      case 'call:queued':
        this.inFlight.set(event.callId, Object.assign(identity(event), { state: 'queued' as const, attempt: 0, since: event.at }))
        break
      case 'attempt:start':
      case 'call:retry': {
        const known = this.inFlight.get(event.callId)
        if (known) {
          known.state = event.type === 'call:retry' ? 'retrying' : 'running'
          known.attempt = event.attempt
        }
        break
      }
      case 'call:start': {
        const known = this.inFlight.get(event.callId)
        if (known) known.state = 'running'
        break
      }
      case 'call:end':
        this.inFlight.delete(event.callId)
        break
    }
  }
}

function deliver(listener: ((event: CapsuleEvent) => void) | undefined, event: CapsuleEvent): void {
  if (!listener) return
  try {
    listener(event)
  } catch (error) {
    // A listener's bug must not break the call; say so once per failure, on stderr.
    process.emitWarning(`a capsule event listener threw on ${event.type}: ${errorMessage(error)}`)
  }
}

/**
 * Who a call is, in the order its events list it, without a parentId that is not set (events
 * are compared and printed as they are: a key holding undefined would show).
 */
function identity(who: CallIdentity): CallIdentity {
  return who.parentId === undefined
    ? { callId: who.callId, task: who.task, module: who.module }
    : { callId: who.callId, parentId: who.parentId, task: who.task, module: who.module }
}
