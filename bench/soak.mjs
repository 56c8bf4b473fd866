// Soak through the reset path (a script, not a CI test): 10,000 calls with 16 in flight, 10 % of
// them timing out (their worker is killed and replaced) and 10 % trapping (their sandbox is
// dropped). Checks that every call is answered as expected, that host RSS grows < 10 % after
// warm-up, and that no worker thread or file descriptor leaks. `npm run build` first, then
// `node bench/soak.mjs [calls]`. RSS climbs over the first ~2,000–6,000 calls (V8 optimizing the
// engine's hot functions, the host's young generation growing to its cap, glibc arenas of the
// threads that replace killed workers) and stays flat after (measured on 20,000 calls, every
// 2,000: 159, 172, 186, 176, 186, 182, 181, 178, 180, 188 MB), while a leak keeps growing with the
// calls. One reading moves by ±6 MB, so growth compares medians: of the RSS at 40, 50 and 60 % of
// the calls (after warm-up) and at 80, 90 and 100 % (the end). The RSS at every tenth is printed,
// so a plateau can be told from a slope.
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
/** RSS (MB) after every tenth of the calls. */
const trace = []
const begin = performance.now()
await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
  while (next < total) {
    const i = next++
    const [task, errorType] = expected(i)
    const envelope = await runtime.run({ manifest, task })
    answered++
    if ((envelope.error?.error_type ?? null) !== errorType || (task === 'noop' && envelope.result !== 1)) wrong.push({ i, task, envelope })
    if (answered === Math.floor(total / 2)) warm = { threads: threads(), fds: fds() }
    if (answered % Math.max(1, Math.floor(total / 10)) === 0) trace.push(process.memoryUsage().rss)
  }
}))
const seconds = (performance.now() - begin) / 1000
const end = { threads: threads(), fds: fds() }
const stats = runtime.sandboxStats()
await runtime.close()
await new Promise((resolve) => setTimeout(resolve, 200))
const closed = { threads: threads(), fds: fds(), targets: fdTargets() }
const kept = closed.targets.filter((target) => !baseline.targets.includes(target))
rmSync(outDir, { recursive: true, force: true })

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const rss = { warm: median(trace.slice(3, 6)), end: median(trace.slice(7, 10)) }
const growth = (rss.end - rss.warm) / rss.warm
console.log(`soak: ${total} calls (10 % timeouts, 10 % traps), ${IN_FLIGHT} in flight, ${seconds.toFixed(1)} s (${(total / seconds).toFixed(0)} calls/s)`)
console.log(`answered ${answered}/${total}, unexpected answers ${wrong.length}; sandboxes: ${stats.reset} reset in place, ${stats.fresh} fresh`)
console.log(`host RSS after warm-up ${mb(rss.warm)}, at the end ${mb(rss.end)} (${(growth * 100).toFixed(1)} %; medians of three readings); every tenth of the calls: ${trace.map((bytes) => Math.round(bytes / 2 ** 20)).join(', ')} MB`)
console.log(`threads: baseline ${baseline.threads}, after warm-up ${warm.threads}, at the end ${end.threads}, after close ${closed.threads}`)
console.log(`file descriptors: baseline ${baseline.fds}, after warm-up ${warm.fds}, at the end ${end.fds}, after close ${closed.fds}${kept.length ? ` (opened once by the first worker and kept: ${kept.join(', ')})` : ''}`)
if (wrong.length > 0) console.log('first unexpected answer:', JSON.stringify(wrong[0]))
// A leak grows with the calls: nothing may be added between warm-up and the end, and closing
// the runtime gives back every thread (a descriptor Node opens once for its first worker stays).
const ok = answered === total && wrong.length === 0 && growth < 0.1 && end.threads <= warm.threads && end.fds <= warm.fds
  && closed.threads <= baseline.threads && closed.fds <= baseline.fds + 2
console.log(ok ? 'soak: PASS' : 'soak: FAIL')
process.exitCode = ok ? 0 : 1
