// The shared memory between the main thread and one sandbox worker, instead of per-call
// messages: a worker holds at most two calls (one running, one queued behind it), each in a
// lane. A lane's state word says which call it holds and whether it is queued, running,
// cancelled before it started, or done; the worker writes the wall time at which the guest
// started next to it, so the main thread runs the timeout from there without a `started`
// message. Both sides change a state word only by compare-and-swap, so a call is either
// started by the worker or taken back by the main thread (abort, or moved to an idle worker),
// never both. One more word says whether the worker has its next sandbox ready (reset or
// made after its last call): the pool prefers such a worker, so a call does not wait behind a
// reset when another worker is free.

export const LANES = 2

export const Phase = { Queued: 0, Running: 1, Cancelled: 2, Done: 3 } as const
export type Phase = (typeof Phase)[keyof typeof Phase]

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
  private readonly readiness: Int32Array

  constructor(buffer: SharedArrayBuffer) {
    this.states = new Int32Array(buffer, 0, LANES)
    this.startedAt = new Float64Array(buffer, LANES * 4, LANES)
    this.readiness = new Int32Array(buffer, LANES * 4 + LANES * 8, 1)
  }

  /** Worker: whether a sandbox for its last target is ready for the next call. */
  setReady(ready: boolean): void {
    Atomics.store(this.readiness, 0, ready ? 1 : 0)
  }

  /** Main thread: the worker has its next sandbox ready (no reset or instantiation to wait for). */
  get ready(): boolean {
    return Atomics.load(this.readiness, 0) === 1
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
