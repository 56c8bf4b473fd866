// The shared memory between the main thread and one sandbox worker, instead of per-call
// messages: a worker holds at most two calls (one running, one queued behind it), each in a
// lane. A lane's state word says which call it holds and whether it is queued, running,
// cancelled before it started, or done; the worker writes the wall time at which the guest
// started next to it, so the main thread runs the timeout from there without a `started`
// message. Both sides change a state word only by compare-and-swap, so a call is either
// started by the worker or taken back by the main thread (abort, or moved to an idle worker),
// never both. One more word says how the worker's next sandbox stands: ready (reset or made
// after its last call), being reset in place (a fraction of a millisecond), or being made (a
// new instance: milliseconds). The pool prefers a ready worker when calls run side by side, and
// a sequential caller's next call waits for a reset rather than wake another worker.

export const LANES = 2

export const Phase = { Queued: 0, Running: 1, Cancelled: 2, Done: 3 } as const
export type Phase = (typeof Phase)[keyof typeof Phase]

/** How a worker's next sandbox stands. */
export const Readiness = { Making: 0, Ready: 1, Resetting: 2 } as const
export type Readiness = (typeof Readiness)[keyof typeof Readiness]

/** Call ids wrap here: only the two calls a worker holds at a time need distinct tags. */
const ID_SPACE = 1 << 28

const tag = (id: number, phase: Phase) => (id % ID_SPACE) * 4 + phase

/** Milliseconds on a clock every thread shares (performance.now() differs per thread). */
export const sharedNow = (): number => performance.timeOrigin + performance.now()

export function createLaneBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(LANES * 4 + LANES * 8 + 4)
}

export class CallLanes {
  private readonly states: Int32Array
  private readonly startedAt: Float64Array
  private readonly readinessWord: Int32Array

  constructor(buffer: SharedArrayBuffer) {
    this.states = new Int32Array(buffer, 0, LANES)
    this.startedAt = new Float64Array(buffer, LANES * 4, LANES)
    this.readinessWord = new Int32Array(buffer, LANES * 4 + LANES * 8, 1)
  }

  /** Worker: how the sandbox for its last target stands. */
  setReadiness(readiness: Readiness): void {
    Atomics.store(this.readinessWord, 0, readiness)
  }

  /** Main thread: how the worker's next sandbox stands. */
  get readiness(): Readiness {
    return Atomics.load(this.readinessWord, 0) as Readiness
  }

  /** Main thread: a call was posted on this lane. */
  queue(lane: number, id: number): void {
    Atomics.store(this.states, lane, tag(id, Phase.Queued))
  }

  /** Main thread: takes a call back before it started; false when the worker already started it. */
  cancel(lane: number, id: number): boolean {
    return Atomics.compareExchange(this.states, lane, tag(id, Phase.Queued), tag(id, Phase.Cancelled)) === tag(id, Phase.Queued)
  }

  /** Worker: starts a call; false when the main thread took it back. */
  start(lane: number, id: number): boolean {
    this.startedAt[lane] = sharedNow()
    return Atomics.compareExchange(this.states, lane, tag(id, Phase.Queued), tag(id, Phase.Running)) === tag(id, Phase.Queued)
  }

  /** Worker: the call's guest code is over. */
  finish(lane: number, id: number): void {
    Atomics.store(this.states, lane, tag(id, Phase.Done))
  }

  /** Main thread: where a call stands, and since when it has been running. */
  read(lane: number, id: number): { phase: Phase; startedAt: number } | undefined {
    const state = Atomics.load(this.states, lane)
    if (Math.floor(state / 4) !== id % ID_SPACE) return undefined
    return { phase: (state % 4) as Phase, startedAt: this.startedAt[lane]! }
  }
}
