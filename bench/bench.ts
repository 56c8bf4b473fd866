// Measurements (not tests), printed as one table. Every figure is taken in the same run, sides
// interleaved in rounds so the drift of a shared, noisy machine hits them alike, and each is
// shown next to its peer measured here (quickjs-emscripten: a new runtime + context + eval +
// dispose per call; the uninstrumented engine for fuel). Medians unless said otherwise.
//  - warm sequential call, p50/p99: ours (reset in place), ours (a fresh instance per call), quickjs
//  - p50 of calls back to back (a loop, 1,000 in a row per side): ours (reset in place) vs quickjs
//  - throughput with 16 calls in flight: ours vs quickjs
//  - a fresh instance on a dropped sandbox's memory (the fallback path), on a new memory (a worker's first), and an in-place reset, in process
//  - `capsule run` on a cached module in a new process, through the executable itself (what
//    node_modules/.bin/capsule links to in a project that installed the package) vs `node -e 0`
//  - fuel overhead: fib(25) metered / unmetered
//  - memory of a long-lived runtime (default pool) after 1,000 calls, in a process of its own, for
//    calls one after another and for 16 in flight (then both workers run): the median of
//    MEMORY_RUNS processes each (one reads ±10 MB, by when V8's optimizing compiles land)
//  - the machine itself: what a first touch of a fresh page costs (16–22 µs on this project's
//    VM, tens of times a bare machine's; every figure that faults memory in, a new process first
//    of all, scales with it)
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { getQuickJS, type QuickJSWASMModule } from 'quickjs-emscripten'
import { compileModule } from '../src/compile/index.ts'
import { ensurePlainEngine } from '../src/compile/engine/plain-engine.ts'
import { instantiateSandbox, type LoadedEngine } from '../src/runtime/component-loader.ts'
import { decodeTaskData } from '../src/formats/task-data.ts'
import { ENGINE_FILE, GLUE_FILE, PLAIN_ENGINE_FILE, TASK_DATA_FILE } from '../src/formats/layout.ts'
import { createRuntime } from '../src/runtime/index.ts'
import { CallState } from '../src/runtime/host/call-state.ts'
import { hostImports } from '../src/runtime/host/imports.ts'
import { wasiImports } from '../src/runtime/wasi/index.ts'
import { cliColdStart } from './cli-cold-start.ts'

const ROUNDS = 20
const PER_ROUND = 10
/** Calls before the warm measurements (see the warm-up below). */
const WARM_UP_CALLS = 1_000
const IN_FLIGHT = 16
/** Back-to-back calls: rounds of this many calls in a row per side (the median of the rounds' p50s). */
const STREAK_ROUNDS = 3
const STREAK_CALLS = 1_000
const THROUGHPUT_CALLS = 1_000
const MEMORY_RUNS = 3
const MEMORY_CALLS = 1_000
/** Calls in flight in the memory runs: one after another (one worker serves them), and 16 (both). */
const MEMORY_IN_FLIGHT = [1, IN_FLIGHT]

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))]!
}
const median = (values: number[]) => percentile(values, 0.5)
const ms = (value: number) => `${value.toFixed(2)} ms`
const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis))

async function loadEngine(dir: string, files: string[], engineFile: string, key: string): Promise<LoadedEngine> {
  const modules = new Map<string, WebAssembly.Module>()
  for (const name of files.filter((f) => f.endsWith('.wasm'))) {
    modules.set(name, await WebAssembly.compile(await readFile(join(dir, name === ENGINE_FILE ? engineFile : name))))
  }
  const glue = await import(pathToFileURL(join(dir, GLUE_FILE)).href)
  return { key, modules, instantiate: glue.instantiate }
}

function quickjsCall(quickjs: QuickJSWASMModule): void {
  const runtime = quickjs.newRuntime()
  const context = runtime.newContext()
  context.unwrapResult(context.evalCode('(() => null)()')).dispose()
  context.dispose()
  runtime.dispose()
}

/** Memory first touched to time a page fault (the machine's, not ours: figures that fault in memory scale with it). */
const FAULT_PROBE_MB = 64

/** Microseconds per fresh 4 KiB page written for the first time (the median of three probes). */
function pageFaultMicros(): number {
  const probes: number[] = []
  for (let probe = 0; probe < 3; probe++) {
    const bytes = Buffer.allocUnsafeSlow(FAULT_PROBE_MB * 2 ** 20)
    const started = performance.now()
    for (let offset = 0; offset < bytes.length; offset += 4096) bytes[offset] = 1
    probes.push(((performance.now() - started) * 1000) / (bytes.length / 4096))
  }
  return median(probes)
}

async function timed(fn: () => unknown): Promise<number> {
  const started = performance.now()
  await fn()
  return performance.now() - started
}

/** Calls per second with `inFlight` calls kept running until `total` are answered. */
async function throughput(total: number, inFlight: number, call: () => Promise<unknown>): Promise<number> {
  let started = 0
  const begin = performance.now()
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (started < total) {
      started++
      await call()
    }
  }))
  return total / ((performance.now() - begin) / 1000)
}

function row(cells: string[]): string {
  const widths = [34, 26, 26, 12]
  return cells.map((cell, i) => cell.padEnd(widths[i] ?? 10)).join(' ')
}

export async function main(root: string): Promise<void> {
  const file = join(root, 'bench', 'fib.capsule.ts')
  const compiled = await compileModule(file, { root })
  const quickjs = await getQuickJS()
  const noop = { file, task: 'noop' }

  // -- in process: fuel overhead, a fresh instance, an in-place reset ----------------------------
  const snapshot = decodeTaskData(await readFile(join(compiled.dir, TASK_DATA_FILE)))
  const metered = await loadEngine(compiled.engine.dir, compiled.engine.files, ENGINE_FILE, compiled.engine.key)
  // An engine installed from the package has no uninstrumented twin: built from source once, here.
  await ensurePlainEngine(compiled.engine.dir)
  const plain = await loadEngine(compiled.engine.dir, compiled.engine.files, PLAIN_ENGINE_FILE, compiled.engine.key)
  const state = new CallState(0, compiled.tasks[0]!.policy, root, [])
  const imports = { ...wasiImports(() => {}), 'capsule:sandbox/host': hostImports(() => state, () => '{}') }
  const context = JSON.stringify({ env: {}, argv: [], cwd: '/' })
  const fib = { metered: [] as number[], plain: [] as number[] }
  const fresh: number[] = []
  const recycled: number[] = []
  const resets: number[] = []
  let dropped: ReturnType<typeof instantiateSandbox> | undefined
  let fuel = 0
  let noopFuel = 0
  for (let i = -4; i < 12; i++) {
    for (const [name, engine] of [['metered', metered], ['plain', plain]] as const) {
      const started = performance.now()
      const sandbox = instantiateSandbox(engine, snapshot, null, imports)
      if (name === 'metered' && i >= 0) fresh.push(performance.now() - started)
      if (name === 'metered' && dropped) {
        // The fallback path: a new instance on a dropped sandbox's memory (restored to the snapshot).
        const r = performance.now()
        instantiateSandbox(engine, snapshot, null, imports, dropped.recyclableMemory())
        if (i >= 0) recycled.push(performance.now() - r)
      }
      if (name === 'metered') dropped = sandbox
      sandbox.setFuel(50_000_000_000)
      const t = performance.now()
      const out = sandbox.run('main', '[25]', context)
      if (i >= 0) fib[name].push(performance.now() - t)
      if (JSON.parse(out).result !== 75025) throw new Error(`fib(25) answered ${out}`)
      if (name === 'metered') {
        fuel = 50_000_000_000 - sandbox.fuelLeft()
        sandbox.setFuel(1_000_000_000)
        sandbox.run('noop', '[]', context)
        noopFuel = 1_000_000_000 - sandbox.fuelLeft()
        // the steady state: a sandbox reset before (its first reset also pays the page faults)
        for (let k = 0; k < 2; k++) {
          const r = performance.now()
          const refusal = sandbox.reset()
          if (i >= 0 && k === 1) resets.push(performance.now() - r)
          if (refusal !== null) throw new Error(`the sandbox could not be reset: ${refusal}`)
          sandbox.setFuel(1_000_000_000)
          sandbox.run('noop', '[]', context)
        }
      }
    }
  }

  // -- warm sequential calls, interleaved in rounds ----------------------------------------------
  const reusing = createRuntime({ cwd: root })
  process.env.CAPSULE_SANDBOX_REUSE = 'off'
  const freshOnly = createRuntime({ cwd: root })
  delete process.env.CAPSULE_SANDBOX_REUSE
  const warm = { reset: [] as number[], fresh: [] as number[], quickjs: [] as number[] }
  // Warm means steady state: V8 tiers the engine's hot functions up (TurboFan, in background
  // threads) over the first few hundred calls; until then calls are ~2x slower and the compile
  // jobs take a core. quickjs gets as many warm-up calls.
  for (let i = 0; i < WARM_UP_CALLS; i++) await reusing.run(noop)
  for (let i = 0; i < 50; i++) await freshOnly.run(noop)
  for (let i = 0; i < WARM_UP_CALLS; i++) quickjsCall(quickjs)
  // CPU time of the whole process (every thread) per call: what a loaded machine inflates least
  const cpu = { reset: 0, quickjs: 0 }
  const cpuOf = async (fn: () => Promise<void>) => {
    const before = process.cpuUsage()
    await fn()
    const used = process.cpuUsage(before)
    return (used.user + used.system) / 1000
  }
  for (let round = 0; round < ROUNDS; round++) {
    cpu.reset += await cpuOf(async () => {
      for (let i = 0; i < PER_ROUND; i++) warm.reset.push(await timed(() => reusing.run(noop)))
    })
    for (let i = 0; i < PER_ROUND; i++) {
      warm.fresh.push(await timed(() => freshOnly.run(noop)))
      // Its next instance is made after the answer, off the caller's path (~20 ms on a new
      // memory here): wait it out, so it neither queues this side's next call nor takes a core
      // from the other sides' rounds.
      await sleep(40)
    }
    cpu.quickjs += await cpuOf(async () => {
      for (let i = 0; i < PER_ROUND; i++) warm.quickjs.push(await timed(() => quickjsCall(quickjs)))
    })
  }

  // -- back to back: a loop of calls, each side on its own (the rounds above leave each side idle
  // for ~0.5 s between its rounds, and a VM's idle threads wake slowly; quickjs has none to wake)
  const streak = { ours: [] as number[], quickjs: [] as number[] }
  for (let round = 0; round < STREAK_ROUNDS; round++) {
    const ours: number[] = []
    const peer: number[] = []
    for (let i = 0; i < STREAK_CALLS; i++) ours.push(await timed(() => reusing.run(noop)))
    for (let i = 0; i < STREAK_CALLS; i++) peer.push(await timed(() => quickjsCall(quickjs)))
    streak.ours.push(median(ours))
    streak.quickjs.push(median(peer))
  }

  // -- throughput, 16 in flight -------------------------------------------------------------------
  const rate = { ours: [] as number[], fresh: [] as number[], quickjs: [] as number[] }
  for (let round = 0; round < 3; round++) {
    rate.ours.push(await throughput(THROUGHPUT_CALLS, IN_FLIGHT, () => reusing.run(noop)))
    rate.fresh.push(await throughput(THROUGHPUT_CALLS / 4, IN_FLIGHT, () => freshOnly.run(noop)))
    rate.quickjs.push(await throughput(THROUGHPUT_CALLS, IN_FLIGHT, async () => quickjsCall(quickjs)))
  }
  const stats = reusing.sandboxStats()
  await Promise.all([reusing.close(), freshOnly.close()])

  // -- a new process: `capsule run` on a cached module, and the memory of a long-lived runtime ---
  const bin = join(root, 'bin', 'capsule.mjs')
  const coldStart = cliColdStart(root, ['run', 'bench/fib.capsule.ts', '--task', 'noop', '--json'], 5)
  const cli = coldStart.wallMs
  const outDir = mkdtempSync(join(tmpdir(), 'capsule-bench-'))
  const memories = new Map<number, { rssMb: number; peakMb: number }[]>(MEMORY_IN_FLIGHT.map((inFlight) => [inFlight, []]))
  try {
    execFileSync(bin, ['build', 'bench/fib.capsule.ts', '--out-dir', outDir], { cwd: root, stdio: 'ignore' })
    const manifest = join(outDir, 'capsule.manifest.json')
    for (let run = 0; run < MEMORY_RUNS; run++) {
      for (const inFlight of MEMORY_IN_FLIGHT) {
        const out = execFileSync(process.execPath, [join(root, 'bench', 'memory.mjs'), manifest, String(MEMORY_CALLS), String(inFlight)], { cwd: root, encoding: 'utf8' })
        memories.get(inFlight)!.push(JSON.parse(out.trim().split('\n').pop()!))
      }
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true })
  }

  const qjs = median(warm.quickjs)
  const q99 = percentile(warm.quickjs, 0.99)
  const ratio = (value: number, peer: number) => `${(value / peer).toFixed(2)}×`
  console.log(`unplugin-capsule bench — Node ${process.version}, one run, sides interleaved; peer measured in the same run`)
  console.log('')
  console.log(row(['measure', 'ours', 'peer', 'ratio']))
  console.log(row(['-'.repeat(34), '-'.repeat(26), '-'.repeat(26), '-'.repeat(12)]))
  console.log(row(['warm call p50 (reset in place)', ms(median(warm.reset)), `quickjs ${ms(qjs)}`, ratio(median(warm.reset), qjs)]))
  console.log(row(['warm call p99 (reset in place)', ms(percentile(warm.reset, 0.99)), `quickjs ${ms(q99)}`, ratio(percentile(warm.reset, 0.99), q99)]))
  console.log(row([`p50, ${STREAK_CALLS} calls back to back`, ms(median(streak.ours)), `quickjs ${ms(median(streak.quickjs))}`, ratio(median(streak.ours), median(streak.quickjs))]))
  const calls = ROUNDS * PER_ROUND
  console.log(row(['CPU per warm call (all threads)', ms(cpu.reset / calls), `quickjs ${ms(cpu.quickjs / calls)}`, ratio(cpu.reset, cpu.quickjs)]))
  console.log(row(['warm call p50 (fresh per call)', ms(median(warm.fresh)), `quickjs ${ms(qjs)}`, ratio(median(warm.fresh), qjs)]))
  console.log(row(['warm call p99 (fresh per call)', ms(percentile(warm.fresh, 0.99)), `quickjs ${ms(q99)}`, ratio(percentile(warm.fresh, 0.99), q99)]))
  console.log(row([`throughput, ${IN_FLIGHT} in flight (reset)`, `${median(rate.ours).toFixed(0)} calls/s`, `quickjs ${median(rate.quickjs).toFixed(0)} calls/s`, ratio(median(rate.ours), median(rate.quickjs))]))
  console.log(row([`throughput, ${IN_FLIGHT} in flight (fresh)`, `${median(rate.fresh).toFixed(0)} calls/s`, '', '']))
  console.log(row(['fresh instance, recycled memory (fallback path)', ms(median(recycled)), '', '']))
  console.log(row(['fresh instance, new memory (first in a worker)', ms(median(fresh)), '', '']))
  console.log(row(['in-place reset', ms(median(resets)), '', '']))
  const nodeStart = median(coldStart.nodeWallMs)
  console.log(row(['capsule run, cached, new process', `${ms(median(cli))} (CPU ${ms(median(coldStart.cpuMs))})`, `node -e 0 ${ms(nodeStart)}`, ratio(median(cli), nodeStart)]))
  console.log(row(['fuel overhead fib(25)', `metered ${ms(median(fib.metered))}`, `unmetered ${ms(median(fib.plain))}`, ratio(median(fib.metered), median(fib.plain))]))
  for (const [inFlight, readings] of memories) {
    const pattern = inFlight === 1 ? 'one at a time' : `${inFlight} in flight`
    const rss = median(readings.map((m) => m.rssMb))
    const peak = median(readings.map((m) => m.peakMb))
    console.log(row([`memory, ${MEMORY_CALLS} calls ${pattern}`, `RSS ${rss.toFixed(0)} MB`, `peak ${peak.toFixed(0)} MB`, `median of ${MEMORY_RUNS}`]))
  }
  console.log('')
  console.log(`fib(25) costs ${fuel.toLocaleString('en-US')} fuel, a no-op call ${noopFuel.toLocaleString('en-US')}. Sandboxes of the reset runtime: ${stats.reset} reset in place, ${stats.fresh} fresh.`)
  console.log(`This machine: a fresh 4 KiB page costs ${pageFaultMicros().toFixed(1)} µs to fault in (first touch of ${FAULT_PROBE_MB} MiB), Node alone starts and exits in ${ms(nodeStart)}.`)
  console.log(`quickjs-emscripten ${JSON.parse(readFileSync(join(root, 'node_modules', 'quickjs-emscripten', 'package.json'), 'utf8')).version}: new runtime + context + eval + dispose per call, on the main thread.`)
}
