// The memory of a long-lived runtime, in a process of its own: the default pool runs N calls of
// a prebuilt module (one after another, or several in flight), then the process's RSS and its
// peak RSS are printed as one JSON line. Used by the bench
// (`node bench/memory.mjs <manifest> [calls] [in flight]`).
import { createRuntime } from '../dist/runtime.mjs'

const [manifest, count = '1000', parallel = '16'] = process.argv.slice(2)
const calls = Number(count)
const inFlight = Number(parallel)
const runtime = createRuntime()
let peak = 0
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5)
let started = 0
await Promise.all(Array.from({ length: inFlight }, async () => {
  while (started < calls) {
    started++
    const envelope = await runtime.run({ manifest, task: 'noop' })
    if (!envelope.success) throw new Error(JSON.stringify(envelope.error))
  }
}))
clearInterval(sampler)
const rss = process.memoryUsage().rss
peak = Math.max(peak, rss, process.resourceUsage().maxRSS * 1024)
await runtime.close()
console.log(JSON.stringify({ calls, inFlight, rssMb: rss / 2 ** 20, peakMb: peak / 2 ** 20 }))
