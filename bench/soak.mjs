// Soak through the reset path (a script, not a CI test): 10,000 calls with 16 in flight, 10 % of
// them timing out (their worker is killed and replaced) and 10 % trapping (their sandbox is
// dropped). Checks that every call is answered as expected, that host RSS grows < 10 % after
// warm-up, and that no worker thread or file descriptor leaks. `npm run build` first, then
// `node bench/soak.mjs [calls]`. Warm-up is the first 20 % of the calls: RSS climbs until ~2,000
// calls (V8 optimizing the engine's hot functions, glibc arenas of the threads that replace
// killed workers) and stays flat after (measured: 169 MB at 1,000 calls, 187.5 MB at 2,000,
// 197.5 MB at 20,000); a leak keeps growing with the calls.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRuntime } from '../dist/runtime.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const total = Number(process.argv[2] ?? 10_000)
const IN_FLIGHT = 16
const threads = () => Number(/Threads:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1])
const fdTargets = () => readdirSync('/proc/self/fd').map((fd) => { try { return readlinkSync(`/proc/self/fd/${fd}`) } catch { return '?' } })
const fds = () => readdirSync('/proc/self/fd').length
const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MB`

const outDir = mkdtempSync(join(tmpdir(), 'capsule-soak-'))
execFileSync(join(root, 'bin', 'capsule.mjs'), ['build', 'bench/soak.capsule.ts', '--out-dir', outDir], { cwd: root, stdio: 'ignore' })
const manifest = join(outDir, 'capsule.manifest.json')
const baseline = { threads: threads(), fds: fds(), targets: fdTargets() }
const runtime = createRuntime()
const expected = (i) => (i % 10 === 3 ? ['hang', 'timeout'] : i % 10 === 7 ? ['trap', 'fuel_exhausted'] : ['noop', null])
const wrong = []
let answered = 0
let next = 0
let warm
const begin = performance.now()
await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
  while (next < total) {
    const i = next++
    const [task, errorType] = expected(i)
    const envelope = await runtime.run({ manifest, task })
    answered++
    if ((envelope.error?.error_type ?? null) !== errorType || (task === 'noop' && envelope.result !== 1)) wrong.push({ i, task, envelope })
    if (answered === Math.floor(total / 5)) warm = { rss: process.memoryUsage().rss, threads: threads(), fds: fds() }
  }
}))
const seconds = (performance.now() - begin) / 1000
const end = { rss: process.memoryUsage().rss, threads: threads(), fds: fds() }
const stats = runtime.sandboxStats()
await runtime.close()
await new Promise((resolve) => setTimeout(resolve, 200))
const closed = { threads: threads(), fds: fds(), targets: fdTargets() }
const kept = closed.targets.filter((target) => !baseline.targets.includes(target))
rmSync(outDir, { recursive: true, force: true })

const growth = (end.rss - warm.rss) / warm.rss
console.log(`soak: ${total} calls (10 % timeouts, 10 % traps), ${IN_FLIGHT} in flight, ${seconds.toFixed(1)} s (${(total / seconds).toFixed(0)} calls/s)`)
console.log(`answered ${answered}/${total}, unexpected answers ${wrong.length}; sandboxes: ${stats.reset} reset in place, ${stats.fresh} fresh`)
console.log(`host RSS after warm-up ${mb(warm.rss)}, at the end ${mb(end.rss)} (${(growth * 100).toFixed(1)} %)`)
console.log(`threads: baseline ${baseline.threads}, after warm-up ${warm.threads}, at the end ${end.threads}, after close ${closed.threads}`)
console.log(`file descriptors: baseline ${baseline.fds}, after warm-up ${warm.fds}, at the end ${end.fds}, after close ${closed.fds}${kept.length ? ` (opened once by the first worker and kept: ${kept.join(', ')})` : ''}`)
if (wrong.length > 0) console.log('first unexpected answer:', JSON.stringify(wrong[0]))
// A leak grows with the calls: nothing may be added between warm-up and the end, and closing
// the runtime gives back every thread (a descriptor Node opens once for its first worker stays).
const ok = answered === total && wrong.length === 0 && growth < 0.1 && end.threads <= warm.threads && end.fds <= warm.fds
  && closed.threads <= baseline.threads && closed.fds <= baseline.fds + 2
console.log(ok ? 'soak: PASS' : 'soak: FAIL')
process.exitCode = ok ? 0 : 1
