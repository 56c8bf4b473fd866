// The runtime API on a real compiled fixture: fresh instance per call, real timers and clocks,
// timeouts that stop CPU-bound loops, and every error type of the vertical slice; where the pool
// sends a call.
import { afterAll, describe, expect, it } from 'vitest'
import { createRuntime } from 'unplugin-capsule/runtime'
import { REPO_ROOT } from './helpers/cli.ts'
import { staysOnLastWorker, type WorkerState } from '../src/runtime/pool.ts'
import { targetKey } from '../src/runtime/sandbox-worker.ts'

const file = 'fixtures/basics.capsule.ts'
const runtime = createRuntime({ cwd: REPO_ROOT, poolSize: 2 })
const call = (task: string, ...args: unknown[]) => runtime.run({ file, task, args })

afterAll(() => runtime.close())

describe('a task module compiled through the real toolchain', () => {
  it('runs a sync task and answers a full envelope', async () => {
    const envelope = await call('add', 2, 3)
    expect(envelope).toMatchObject({ success: true, result: 5, error: null })
    expect(envelope.execution).toEqual({
      task_name: 'add',
      duration_ms: expect.any(Number),
      retries: 0,
      fuel_consumed: expect.any(Number),
      ram_used: expect.any(Number),
      host_requests: [],
      logs: [],
    })
    expect(envelope.execution.ram_used).toBeGreaterThan(0)
  })

  it('awaits a setTimeout that really waits', async () => {
    const envelope = await call('wait', 30)
    expect(envelope.success).toBe(true)
    expect(envelope.result).toBeGreaterThanOrEqual(30)
    expect(envelope.execution.duration_ms).toBeGreaterThanOrEqual(30)
  })

  it('turns a throw into task_error with its message', async () => {
    const envelope = await call('fail')
    expect(envelope).toMatchObject({ success: false, result: null, error: { error_type: 'task_error', message: 'Error: the task broke on purpose' } })
  })

  it('stops while(true){} at its 500ms timeout and serves the next call', async () => {
    const envelope = await call('spin')
    expect(envelope.success).toBe(false)
    expect(envelope.error?.error_type).toBe('timeout')
    expect(envelope.execution.duration_ms).toBeLessThan(1_500)
    const next = await call('add', 1, 1)
    expect(next).toMatchObject({ success: true, result: 2 })
  })

  it('stops a call whose AbortSignal fires, answering timeout', async () => {
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 100)
    const envelope = await runtime.run({ file, task: 'spin', signal: controller.signal })
    expect(envelope.error).toMatchObject({ error_type: 'timeout', message: 'the call was aborted' })
    expect(envelope.execution.duration_ms).toBeLessThan(500)
    expect(await call('add', 2, 2)).toMatchObject({ success: true, result: 4 })
  })

  it('answers invalid_output for a BigInt result', async () => {
    const envelope = await call('bigint')
    expect(envelope.error).toMatchObject({ error_type: 'invalid_output' })
    expect(envelope.error?.message).toMatch(/BigInt/)
  })

  it('answers invalid_input for arguments that are not JSON, without running the task', async () => {
    const envelope = await call('counter', 1n)
    expect(envelope.error?.error_type).toBe('invalid_input')
    expect(envelope.execution.logs).toEqual([])
  })

  it('records console output in execution.logs', async () => {
    const envelope = await call('chatty')
    expect(envelope.execution.logs).toEqual([
      { level: 'log', message: 'hello from the sandbox 42' },
      { level: 'warn', message: 'careful' },
      { level: 'error', message: '{"oops":true}' },
    ])
  })

  it('gives every call a fresh instance: a module-level counter is always 1', async () => {
    const results = []
    for (let i = 0; i < 4; i++) results.push((await call('counter')).result)
    expect(results).toEqual([1, 1, 1, 1])
  })

  it('gives every instance its own randomness', async () => {
    const [first, second] = await Promise.all([call('random'), call('random')])
    expect(typeof first.result).toBe('number')
    expect(first.result).not.toBe(second.result)
  })

  it('sees the real time', async () => {
    const before = Date.now()
    const envelope = await call('now')
    expect(envelope.result).toBeGreaterThanOrEqual(before - 5)
    expect(envelope.result).toBeLessThanOrEqual(Date.now() + 5)
  })

  it('answers null for a task that returns undefined', async () => {
    expect(await call('nothing')).toMatchObject({ success: true, result: null })
  })

  it('rejects an unknown task name instead of falling back to another task', async () => {
    await expect(call('nope')).rejects.toThrow(/unknown task "nope"/)
  })
})

describe('where the pool sends calls', () => {
  const target = (moduleDir: string) => ({ engine: { dir: '/engine', files: [], key: 'k' }, moduleDir, ram: null })
  const worker = (state: Partial<WorkerState> = {}): WorkerState => ({ alive: true, load: 0, answered: 3, lastTarget: target('/m'), sandboxReadySoon: true, ...state })
  const key = targetKey(target('/m'))

  it('keeps a sequential caller on the worker that served it while that one resets in place', () => {
    const last = worker()
    expect(staysOnLastWorker(last, [last, worker()], key)).toBe(true)
  })

  it('sends it elsewhere after a trap or growth, for another module, a dead or first-time worker, and when calls run side by side', () => {
    const cases: [string, WorkerState, WorkerState[]][] = []
    const remaking = worker({ sandboxReadySoon: false })
    cases.push(['remaking its sandbox', remaking, [remaking]])
    const other = worker({ lastTarget: target('/other') })
    cases.push(['another module', other, [other]])
    const dead = worker({ alive: false })
    cases.push(['dead', dead, [dead]])
    const first = worker({ answered: 0 })
    cases.push(['still making its first sandbox', first, [first]])
    const last = worker()
    cases.push(['a call in flight elsewhere', last, [last, worker({ load: 1 })]])
    const gone = worker()
    cases.push(['no longer in the pool', gone, [worker()]])
    for (const [why, candidate, workers] of cases) expect(staysOnLastWorker(candidate, workers, key), why).toBe(false)
  })

  it('serves a sequential caller from one sandbox reset in place, call after call (a real pool)', async () => {
    const pool = createRuntime({ cwd: REPO_ROOT, poolSize: 2 })
    try {
      for (let i = 0; i < 12; i++) expect((await pool.run({ file, task: 'add', args: [i, 1] })).result).toBe(i + 1)
      expect(pool.sandboxStats()).toEqual({ fresh: 1, reset: 11 })
    } finally {
      await pool.close()
    }
  })
})
