// Measurements (not tests): each figure is a ratio against a peer measured in the same run, on a
// shared, noisy machine. Medians of repeated runs, interleaved so drift hits both sides alike.
//  1. fuel overhead: fib(25) on the instrumented engine ÷ the same engine uninstrumented
//  2. fresh sandbox: instantiate a sandbox vs a fresh node:vm context (the cheapest JS peer)
//  3. a warm call through the runtime (pool, worker, fresh sandbox, envelope)
//  4. the CLI's cold start on a cached module (a new process through node_modules/.bin/capsule:
//     compile cache hit → answer)
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { createContext, runInContext } from 'node:vm'
import { compileModule } from '../src/compile/index.ts'
import { instantiateSandbox, type LoadedEngine } from '../src/runtime/component-loader.ts'
import { decodeTaskData } from '../src/runtime/engine/task-data.ts'
import { ENGINE_FILE, GLUE_FILE, PLAIN_ENGINE_FILE, TASK_DATA_FILE } from '../src/runtime/engine/layout.ts'
import { createRuntime } from '../src/runtime/index.ts'
import { CallState } from '../src/runtime/host/call-state.ts'
import { hostImports } from '../src/runtime/host/imports.ts'
import { wasiImports } from '../src/runtime/wasi/index.ts'
import { cliColdStart } from './cli-cold-start.ts'

const RUNS = 12
/** Runs discarded first, so both engines are measured after V8 tiered their hot code up. */
const WARMUP = 4

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

const ms = (value: number) => `${value.toFixed(2)} ms`

async function loadEngine(dir: string, files: string[], engineFile: string, key: string): Promise<LoadedEngine> {
  const modules = new Map<string, WebAssembly.Module>()
  for (const name of files.filter((f) => f.endsWith('.wasm'))) {
    modules.set(name, await WebAssembly.compile(await readFile(join(dir, name === ENGINE_FILE ? engineFile : name))))
  }
  const glue = await import(pathToFileURL(join(dir, GLUE_FILE)).href)
  return { key, modules, instantiate: glue.instantiate }
}

export async function main(root: string): Promise<void> {
  const file = join(root, 'bench', 'fib.capsule.ts')
  const compiled = await compileModule(file, { root })
  const snapshot = decodeTaskData(await readFile(join(compiled.dir, TASK_DATA_FILE)))
  const metered = await loadEngine(compiled.engine.dir, compiled.engine.files, ENGINE_FILE, compiled.engine.key)
  const plain = await loadEngine(compiled.engine.dir, compiled.engine.files, PLAIN_ENGINE_FILE, compiled.engine.key)
  const state = new CallState(0, compiled.tasks[0]!.policy, root, [])
  const imports = { ...wasiImports(() => {}), 'capsule:sandbox/host': hostImports(() => state, () => '{}') }
  const context = JSON.stringify({ env: {}, argv: [], cwd: '/' })

  const fibTimes = { metered: [] as number[], plain: [] as number[] }
  /** metered ÷ unmetered within one round (the two runs back to back) */
  const pairedRatios: number[] = []
  const instantiateTimes: number[] = []
  let fuel = 0
  for (let i = -WARMUP; i < RUNS; i++) {
    for (const [name, engine] of [['metered', metered], ['plain', plain]] as const) {
      const started = performance.now()
      const sandbox = instantiateSandbox(engine, snapshot, null, imports)
      if (name === 'metered' && i >= 0) instantiateTimes.push(performance.now() - started)
      sandbox.setFuel(50_000_000_000)
      const t = performance.now()
      const out = sandbox.run('main', '[25]', context)
      if (i >= 0) fibTimes[name].push(performance.now() - t)
      if (JSON.parse(out).result !== 75025) throw new Error(`fib(25) answered ${out}`)
      if (name === 'metered') fuel = 50_000_000_000 - sandbox.fuelLeft()
    }
    if (i >= 0) pairedRatios.push(fibTimes.metered.at(-1)! / fibTimes.plain.at(-1)!)
  }
  const vmTimes: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now()
    runInContext('1 + 1', createContext({}))
    vmTimes.push(performance.now() - t)
  }
  const nodeFib = (n: number): number => (n < 2 ? n : nodeFib(n - 1) + nodeFib(n - 2))
  const nodeTimes: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now()
    nodeFib(25)
    nodeTimes.push(performance.now() - t)
  }

  const runtime = createRuntime({ cwd: root, poolSize: 2 })
  const callTimes: number[] = []
  await runtime.run({ file, task: 'noop' })
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now()
    await runtime.run({ file, task: 'noop' })
    callTimes.push(performance.now() - t)
    await new Promise((resolve) => setTimeout(resolve, 20)) // let the next sandbox be pre-made
  }
  await runtime.close()

  const cli = cliColdStart(root, ['run', 'bench/fib.capsule.ts', '--task', 'noop', '--json'], 5)

  const metered25 = median(fibTimes.metered)
  const plain25 = median(fibTimes.plain)
  console.log(`unplugin-capsule bench (${RUNS} runs each, medians, interleaved; Node ${process.version})`)
  console.log('')
  console.log(`fuel overhead   fib(25) metered ${ms(metered25)} / unmetered ${ms(plain25)} = ${(metered25 / plain25).toFixed(3)}×  (goal ≤ 1.10×)`)
  console.log(`                per round: median ${median(pairedRatios).toFixed(3)}×, min ${Math.min(...pairedRatios).toFixed(3)}×, max ${Math.max(...pairedRatios).toFixed(3)}×`)
  console.log(`                fib(25) costs ${fuel.toLocaleString('en-US')} fuel; plain Node runs it in ${ms(median(nodeTimes))} (${(plain25 / median(nodeTimes)).toFixed(1)}× faster than the sandbox's interpreter)`)
  console.log(`fresh sandbox   instantiate ${ms(median(instantiateTimes))} vs node:vm createContext ${ms(median(vmTimes))} (${(median(instantiateTimes) / median(vmTimes)).toFixed(1)}×)`)
  console.log(`warm call       runtime.run(noop) end to end ${ms(median(callTimes))}`)
  console.log(`cli cold start  node_modules/.bin/capsule run (cache hit, new process) ${ms(median(cli.wallMs))} wall, ${ms(median(cli.cpuMs))} CPU  (median of 5; goal ≤ 200 ms wall)`)
}
