// Isolation is proven, not assumed: a sandbox reset in place must be indistinguishable from a
// fresh instance. The same call sequence (logs, timers, guest errors, randomness, module and
// global state, memory growth, fuel exhaustion) runs on sandboxes that are reset in place and on
// sandboxes made anew for every call: outputs, fuel and logs are identical, the engine's memory
// equals the snapshot byte for byte after every reset, the module-global counter is always 1,
// and growth and traps make the runtime fall back to a fresh instance.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createRuntime, type Envelope, type Runtime } from 'unplugin-capsule/runtime'
import { instantiateSandbox, type LoadedEngine, type Sandbox } from '../src/runtime/component-loader.ts'
import { decodeTaskData, writeTaskMemory, WASM_PAGE, type TaskData } from '../src/formats/task-data.ts'
import { ENGINE_FILE, GLUE_FILE, TASK_DATA_FILE } from '../src/formats/layout.ts'
import { manifestArtifact } from '../src/runtime/manifest.ts'
import { CallState } from '../src/runtime/host/call-state.ts'
import { hostImports } from '../src/runtime/host/imports.ts'
import { wasiImports } from '../src/runtime/wasi/index.ts'
import { WrittenPages } from '../src/shared/written-pages.ts'
import { REPO_ROOT, runCli } from './helpers/cli.ts'

const file = 'fixtures/isolation.capsule.ts'

/**
 * The call sequence both kinds of sandbox run; `grows` and `traps` mark the calls that cannot be
 * followed by a reset. `clock` marks calls whose fuel depends by a few units on clock readings —
 * as much between two fresh instances as between a fresh and a reset one (an event-loop turn
 * more or less): their fuel is compared within CLOCK_FUEL_SLACK, everything else exactly.
 */
const SEQUENCE: { task: string; args: unknown[]; grows?: true; traps?: true; clock?: true }[] = [
  { task: 'counter', args: ['a'] },
  { task: 'counter', args: ['b'] },
  { task: 'timers', args: [5], clock: true },
  { task: 'guestError', args: [7] },
  { task: 'counter', args: ['c'] },
  { task: 'random', args: [] },
  { task: 'global', args: [] },
  { task: 'global', args: [] },
  { task: 'grow', args: [24], grows: true },
  { task: 'counter', args: ['d'] },
  { task: 'burn', args: [], traps: true },
  { task: 'counter', args: ['e'] },
  { task: 'timers', args: [2], clock: true },
  { task: 'global', args: [] },
]
const CLOCK_FUEL_SLACK = 64

/** Fuel equal, or for a clock-dependent call within the slack. */
function sameFuel(step: (typeof SEQUENCE)[number], a: number, b: number): boolean {
  return step.clock ? Math.abs(a - b) <= CLOCK_FUEL_SLACK : a === b
}

/** What must match between a reset sandbox and a fresh one (time aside). */
function comparable(envelope: Envelope) {
  const { success, result, error, execution } = envelope
  return { success, result, error, ram: execution.ram_used, logs: execution.logs }
}

describe('through the runtime: reset in place vs a fresh instance per call', () => {
  let reusing: Runtime
  let freshOnly: Runtime

  beforeAll(async () => {
    reusing = createRuntime({ cwd: REPO_ROOT, poolSize: 1 })
    process.env.CAPSULE_SANDBOX_REUSE = 'off'
    try {
      freshOnly = createRuntime({ cwd: REPO_ROOT, poolSize: 1 })
    } finally {
      delete process.env.CAPSULE_SANDBOX_REUSE
    }
    // the first call compiles the fixture (once) and makes each runtime's first sandbox
    await reusing.run({ file, task: 'counter', args: ['warm'] })
    await freshOnly.run({ file, task: 'counter', args: ['warm'] })
  }, 600_000)
  afterAll(() => Promise.all([reusing.close(), freshOnly.close()]))

  it('answers the same outputs, fuel and logs, call after call; growth and traps force a fresh instance', async () => {
    let previous = SEQUENCE[0]!
    for (const step of SEQUENCE) {
      const before = reusing.sandboxStats()
      const reused = await reusing.run({ file, task: step.task, args: step.args })
      const after = reusing.sandboxStats()
      const fresh = await freshOnly.run({ file, task: step.task, args: step.args })
      expect(comparable(reused), `${step.task}(${JSON.stringify(step.args)})`).toEqual(comparable(fresh))
      expect(sameFuel(step, reused.execution.fuel_consumed, fresh.execution.fuel_consumed), `fuel of ${step.task}: ${reused.execution.fuel_consumed} vs ${fresh.execution.fuel_consumed}`).toBe(true)
      if (reused.success) expect((reused.result as { calls?: number }).calls ?? 1).toBe(1)
      // the sandbox that served this call: a fresh one right after growth or a trap, else a reset one
      const forcedFresh = previous.grows === true || previous.traps === true
      expect(after.fresh - before.fresh, `sandbox for ${step.task} after ${previous.task}`).toBe(forcedFresh ? 1 : 0)
      expect(after.reset - before.reset).toBe(forcedFresh ? 0 : 1)
      previous = step
    }
    expect(freshOnly.sandboxStats().reset).toBe(0)
    // spot-check that the sequence did what it says
    const errorEnvelope = await reusing.run({ file, task: 'guestError', args: [3] })
    expect(errorEnvelope.error).toMatchObject({ error_type: 'task_error', message: expect.stringContaining('cannot handle 3') })
    expect(errorEnvelope.execution.logs).toEqual([{ level: 'warn', message: 'about to fail with 3' }])
    expect((await reusing.run({ file, task: 'burn' })).error?.error_type).toBe('fuel_exhausted')
  }, 300_000)

  it('does not replay randomness: a reset sandbox draws new random numbers', async () => {
    const values = new Set<unknown>()
    for (let i = 0; i < 4; i++) values.add((await reusing.run({ file, task: 'randomValue' })).result)
    expect(values.size).toBe(4)
  })
})

describe('in process: memory equals the snapshot byte for byte after every reset and on a recycled memory', () => {
  let outDir: string
  let engine: LoadedEngine
  let snapshot: TaskData
  let state = new CallState(0, { name: '', fuel: 0, ram: null, timeout: null, maxRetries: 0, files: [], hosts: [], env: [] }, '/', [])
  const imports = { ...wasiImports(() => {}), 'capsule:sandbox/host': hostImports(() => state, () => '{}') }
  const context = JSON.stringify({ env: {}, argv: ['capsule'], cwd: '/' })

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'capsule-isolation-'))
    const built = await runCli(['build', file, '--out-dir', outDir])
    expect(built.code, built.stderr).toBe(0)
    const { artifact } = manifestArtifact(join(outDir, 'capsule.manifest.json'), 'counter', REPO_ROOT)
    const modules = new Map<string, WebAssembly.Module>()
    for (const name of artifact.engine.files.filter((f) => f.endsWith('.wasm'))) {
      modules.set(name, await WebAssembly.compile(readFileSync(join(artifact.engine.dir, name))))
    }
    expect(modules.has(ENGINE_FILE)).toBe(true)
    const glue = (await import(pathToFileURL(join(artifact.engine.dir, GLUE_FILE)).href)) as Pick<LoadedEngine, 'instantiate'>
    engine = { key: artifact.engine.key, modules, instantiate: glue.instantiate }
    snapshot = decodeTaskData(readFileSync(join(artifact.dir, TASK_DATA_FILE)))
  }, 300_000)
  afterAll(() => rmSync(outDir, { recursive: true, force: true }))

  it('restores a memory another module used (a worker\'s warm-up) to this module\'s snapshot, byte for byte', async () => {
    const otherOut = mkdtempSync(join(tmpdir(), 'capsule-isolation-other-'))
    try {
      const built = await runCli(['build', 'fixtures/basics.capsule.ts', '--out-dir', otherOut])
      expect(built.code, built.stderr).toBe(0)
      const other = manifestArtifact(join(otherOut, 'capsule.manifest.json'), 'add', REPO_ROOT).artifact
      const otherSnapshot = decodeTaskData(readFileSync(join(other.dir, TASK_DATA_FILE)))
      expect(otherSnapshot.engineKey).toBe(snapshot.engineKey)
      const used = instantiateSandbox(engine, otherSnapshot, null, imports)
      expect(call(used, 'add', [2, 3]).output).toBe('ok {"result":5}')
      const memory = used.recyclableMemory()!
      const sandbox = instantiateSandbox(engine, snapshot, null, imports, memory)
      const reference = new WebAssembly.Memory({ initial: snapshot.memoryPages })
      writeTaskMemory(reference, snapshot)
      // the same size: the memory is taken over (another size would get a new one)
      expect(otherSnapshot.memoryPages === snapshot.memoryPages ? sandbox.memory === memory : sandbox.memory !== memory).toBe(true)
      expect(Buffer.from(sandbox.memory.buffer).equals(Buffer.from(reference.buffer))).toBe(true)
      expect(call(sandbox, 'counter', ['x']).output).toBe(call(instantiateSandbox(engine, snapshot, null, imports), 'counter', ['x']).output)
    } finally {
      rmSync(otherOut, { recursive: true, force: true })
    }
  }, 300_000)

  function call(sandbox: Sandbox, task: string, args: unknown[]) {
    state = new CallState(1, { name: task, fuel: 2_000_000, ram: null, timeout: null, maxRetries: 0, files: [], hosts: [], env: [] }, '/', [])
    const fuel = task === 'burn' ? 2_000_000 : 2_000_000_000
    sandbox.setFuel(fuel)
    let output: string
    try {
      output = `ok ${sandbox.run(task, JSON.stringify(args), context)}`
    } catch (error) {
      const payload = (error as { payload?: unknown }).payload
      output = payload === undefined ? `trap ${(error as Error).constructor.name}` : `err ${String(payload)}`
    }
    return { output, fuel: fuel - sandbox.fuelLeft(), logs: state.finishLogs(), pages: sandbox.memory.buffer.byteLength / WASM_PAGE }
  }

  it('starts with the call path compiled: a call from the snapshot costs what it costs on a used instance', () => {
    // The build made one call through the run export before keeping the snapshot (take-snapshot.ts).
    const sandbox = instantiateSandbox(engine, snapshot, null, imports)
    const first = call(sandbox, 'global', [])
    const second = call(sandbox, 'global', [])
    expect(first.output).toMatch(/^ok /)
    expect(first.fuel, `first ${first.fuel} vs second ${second.fuel}`).toBeLessThan(second.fuel * 1.15)
  })

  it('resets to the snapshot exactly, and answers like a fresh instance each time', () => {
    // What the resets were told of the pages never written (skipped unread: shared/written-pages.ts).
    const answers: (Uint8Array | undefined)[] = []
    const read = WrittenPages.prototype.read
    const spy = vi.spyOn(WrittenPages.prototype, 'read').mockImplementation(function (this: WrittenPages) {
      const answer = read.call(this)
      answers.push(answer)
      return answer
    })
    const reference = new WebAssembly.Memory({ initial: snapshot.memoryPages })
    writeTaskMemory(reference, snapshot)
    const snapshotBytes = Buffer.from(reference.buffer)
    let sandbox = instantiateSandbox(engine, snapshot, null, imports)
    let resets = 0
    let recycledInstances = 0
    for (const step of SEQUENCE) {
      const reused = call(sandbox, step.task, step.args)
      const fresh = call(instantiateSandbox(engine, snapshot, null, imports), step.task, step.args)
      expect({ ...reused, fuel: 0 }, `${step.task}(${JSON.stringify(step.args)})`).toEqual({ ...fresh, fuel: 0 })
      expect(sameFuel(step, reused.fuel, fresh.fuel), `fuel of ${step.task}: ${reused.fuel} vs ${fresh.fuel}`).toBe(true)
      if (step.traps) {
        expect(reused.output).toMatch(/^trap /)
        // The fallback: a new instance on the trapped one's memory, restored to the snapshot first.
        const recycled = sandbox.recyclableMemory()
        expect(recycled).toBeDefined()
        sandbox = instantiateSandbox(engine, snapshot, null, imports, recycled)
        expect(sandbox.memory).toBe(recycled)
        expect(Buffer.from(sandbox.memory.buffer).equals(snapshotBytes), `recycled memory after ${step.task}`).toBe(true)
        recycledInstances++
        continue
      }
      const refusal = sandbox.reset()
      if (step.grows) {
        expect(reused.pages).toBeGreaterThan(snapshot.memoryPages)
        expect(refusal).toBe('memory-grew')
        expect(sandbox.recyclableMemory(), 'a grown memory is never recycled').toBeUndefined()
        sandbox = instantiateSandbox(engine, snapshot, null, imports)
        continue
      }
      expect(refusal, step.task).toBeNull()
      resets++
      expect(Buffer.from(sandbox.memory.buffer).equals(snapshotBytes), `memory after ${step.task}`).toBe(true)
    }
    expect(resets).toBe(SEQUENCE.length - 2)
    expect(recycledInstances).toBe(1)
    spy.mockRestore()
    // On Linux the first reset of a new memory skipped the pages nothing had written (the byte
    // for byte checks above read every page, so later ones have fewer or none left to skip).
    if (process.platform === 'linux') expect(answers.some((answer) => answer?.includes(0)), 'no reset skipped a page').toBe(true)
  }, 120_000)
})
