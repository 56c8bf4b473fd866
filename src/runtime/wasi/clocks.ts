// wasi:clocks (monotonic + wall): real time, so Date.now() and performance.now() are live.
import { monotonicNow, Pollable } from './poll.ts'

export const monotonicClock = {
  now: monotonicNow,
  resolution: (): bigint => 1n,
  subscribeInstant: (when: bigint): Pollable => new Pollable(when),
  subscribeDuration: (duration: bigint): Pollable => new Pollable(monotonicNow() + duration),
}

export const wallClock = {
  now(): { seconds: bigint; nanoseconds: number } {
    const ms = Date.now()
    return { seconds: BigInt(Math.floor(ms / 1000)), nanoseconds: (ms % 1000) * 1e6 }
  },
  resolution: (): { seconds: bigint; nanoseconds: number } => ({ seconds: 0n, nanoseconds: 1e6 }),
}
