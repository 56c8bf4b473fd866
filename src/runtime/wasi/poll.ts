// wasi:io/poll for the sandbox: pollables are deadlines on the monotonic clock. `poll` blocks
// the sandbox worker (never the main thread) until the earliest one is due, which is how the
// guest's setTimeout really waits. A wall-clock timeout on the host still cuts it short.

const sleeper = new Int32Array(new SharedArrayBuffer(4))

export function monotonicNow(): bigint {
  return process.hrtime.bigint()
}

export class Pollable {
  constructor(readonly deadline: bigint) {}

  ready(): boolean {
    return monotonicNow() >= this.deadline
  }

  block(): void {
    sleepUntil(this.deadline)
  }
}

function sleepUntil(deadline: bigint): void {
  for (;;) {
    const remaining = deadline - monotonicNow()
    if (remaining <= 0n) return
    Atomics.wait(sleeper, 0, 0, Number(remaining) / 1e6)
  }
}

export function poll(pollables: Pollable[]): Uint32Array {
  if (pollables.length === 0) return new Uint32Array(0)
  const earliest = pollables.reduce((min, p) => (p.deadline < min ? p.deadline : min), pollables[0]!.deadline)
  sleepUntil(earliest)
  const ready: number[] = []
  pollables.forEach((p, index) => {
    if (p.ready()) ready.push(index)
  })
  return Uint32Array.from(ready)
}
