// Lifecycle tracking on a real compiled fixture: typed events in order with the right parents,
// runtime.calls() while a call runs, the diagnostics_channel tracing channel, and the
// `capsule run --trace` JSON lines.
import diagnostics from 'node:diagnostics_channel'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRuntime, type CapsuleEvent } from 'unplugin-capsule/runtime'
import { REPO_ROOT, runCli } from './helpers/cli.ts'

const file = 'fixtures/lifecycle.capsule.ts'
const seen: CapsuleEvent[] = []
const runtime = createRuntime({ cwd: REPO_ROOT, poolSize: 2, onEvent: (event) => seen.push(event) })
afterAll(() => runtime.close())
// Compile first (the first compile of a worktree takes long): the runs below have no compile events.
beforeAll(() => runtime.run({ file, task: 'double', args: [0] }))

const stateDir = () => mkdtempSync(join(tmpdir(), 'capsule-lifecycle-'))

describe('typed lifecycle events', () => {
  it('a task that calls a sub-task and fails once emits every event in order, with parents', async () => {
    seen.length = 0
    const perRun: CapsuleEvent[] = []
    const retries: CapsuleEvent[] = []
    const off = runtime.on('call:retry', (event) => retries.push(event))
    const envelope = await runtime.run({ file, task: 'pipeline', args: [20], mounts: [`${stateDir()}::state:rw`], onEvent: (e) => perRun.push(e) })
    off()
    expect(envelope).toMatchObject({ success: true, result: 41, execution: { retries: 1 } })
    expect(perRun).toEqual(seen)

    const parent = seen[0]!.callId
    const children = [...new Set(seen.filter((e) => e.callId !== parent).map((e) => e.callId))]
    expect(children).toHaveLength(2) // one sub-task call per attempt
    const [first, second] = children as [string, string]
    const sub = (callId: string) => [
      ['call:queued', callId, parent], ['call:start', callId, parent], ['attempt:start', callId, parent],
      ['attempt:end', callId, parent], ['call:end', callId, parent],
    ]
    expect(seen.map((e) => [e.type, e.callId, e.parentId])).toEqual([
      ['call:queued', parent, undefined], ['call:start', parent, undefined], ['attempt:start', parent, undefined],
      ...sub(first),
      ['attempt:end', parent, undefined], ['call:retry', parent, undefined], ['attempt:start', parent, undefined],
      ...sub(second),
      ['attempt:end', parent, undefined], ['call:end', parent, undefined],
    ])
    for (const event of seen) {
      expect(event.module).toBe('fixtures/lifecycle.capsule.ts')
      expect(event.task).toBe(event.callId === parent ? 'pipeline' : 'double')
      expect(event.at).toBeGreaterThan(Date.now() - 60_000)
    }
    const ends = seen.filter((e): e is Extract<CapsuleEvent, { type: 'attempt:end' }> => e.type === 'attempt:end' && e.callId === parent)
    expect(ends.map((e) => [e.attempt, e.success, e.error_type])).toEqual([[1, false, 'task_error'], [2, true, null]])
    expect(ends[0]!.fuel).toBeGreaterThan(0)
    expect(ends[1]!.ram).toBeGreaterThan(0)
    expect(retries).toEqual([expect.objectContaining({ type: 'call:retry', callId: parent, attempt: 2, error_type: 'task_error' })])
    const end = seen.at(-1) as Extract<CapsuleEvent, { type: 'call:end' }>
    expect(end.envelope).toEqual(envelope)
    expect(runtime.calls()).toEqual([])
  })

  it('runtime.calls() lists a call in flight with its state', async () => {
    const started = new Promise<void>((resolve) => {
      const off = runtime.on('attempt:start', () => {
        off()
        resolve()
      })
    })
    const pending = runtime.run({ file, task: 'pipeline', args: [1], mounts: [`${stateDir()}::state:rw`] })
    await started
    expect(runtime.calls()).toContainEqual(expect.objectContaining({ task: 'pipeline', state: 'running', attempt: 1, module: file }))
    await pending
    expect(runtime.calls()).toEqual([])
  })

  it('reports compile:start and compile:end (cache hit) for a module this runtime has not used', async () => {
    const fresh: CapsuleEvent[] = []
    const other = createRuntime({ cwd: REPO_ROOT, poolSize: 1, onEvent: (e) => fresh.push(e) })
    try {
      await other.run({ file, task: 'double', args: [2] })
    } finally {
      await other.close()
    }
    const types = fresh.map((e) => e.type).filter((t) => t !== 'compile:progress')
    expect(types.slice(0, 3)).toEqual(['compile:start', 'compile:end', 'call:queued'])
    expect(fresh[0]).toMatchObject({ task: 'double', module: file })
    expect(fresh.find((e) => e.type === 'compile:end')).toMatchObject({ cacheHit: true, callId: fresh[0]!.callId })
  })

  it('traces each call on the capsule:call tracing channel, sub-tasks included', async () => {
    const starts: { callId: string, parentId?: string }[] = []
    const answers: { callId: string, result: { success: boolean } }[] = []
    const ignore = () => {}
    const handlers = {
      start: (message: unknown) => starts.push(message as { callId: string }),
      end: ignore,
      asyncStart: ignore,
      asyncEnd: (message: unknown) => answers.push(message as { callId: string, result: { success: boolean } }),
      error: ignore,
    }
    const channel = diagnostics.tracingChannel('capsule:call')
    channel.subscribe(handlers)
    const events: unknown[] = []
    const onEvent = (event: unknown) => events.push(event)
    diagnostics.subscribe('capsule:event', onEvent)
    try {
      await runtime.run({ file, task: 'pipeline', args: [3], mounts: [`${stateDir()}::state:rw`] })
    } finally {
      channel.unsubscribe(handlers)
      diagnostics.unsubscribe('capsule:event', onEvent)
    }
    expect(starts).toHaveLength(3)
    expect(starts[0]).toMatchObject({ task: 'pipeline' })
    expect(starts.slice(1).every((s) => s.parentId === starts[0]!.callId)).toBe(true)
    expect(answers.at(-1)).toMatchObject({ callId: starts[0]!.callId, result: { success: true } })
    expect(events.length).toBeGreaterThanOrEqual(12)
  })
})

describe('capsule run --trace', () => {
  it('appends one JSON event per line', async () => {
    const trace = join(stateDir(), 'nested', 't.jsonl')
    const { code } = await runCli(['run', file, '--task', 'pipeline', '--args', '[5]', '--mount', `${stateDir()}::state:rw`, '--json', '--trace', trace])
    expect(code).toBe(0)
    const lines = readFileSync(trace, 'utf8').trimEnd().split('\n')
    const events = lines.map((line) => JSON.parse(line) as CapsuleEvent)
    expect(events[0]!.type).toBe('compile:start')
    expect(events.at(-1)).toMatchObject({ type: 'call:end', task: 'pipeline', envelope: { success: true, result: 11 } })
    expect(events.filter((e) => e.type === 'call:retry')).toHaveLength(1)
    expect(events.filter((e) => e.type === 'call:queued' && e.parentId)).toHaveLength(2)
    await runCli(['run', file, '--task', 'double', '--args', '[1]', '--json', '--trace', trace])
    expect(readFileSync(trace, 'utf8').trimEnd().split('\n').length).toBeGreaterThan(lines.length)
  })

  it('prints the events with --verbose and refuses --trace without a file (exit 2)', async () => {
    const verbose = await runCli(['run', file, '--task', 'double', '--args', '[4]', '--json', '--verbose'])
    expect(verbose.code).toBe(0)
    expect(verbose.stderr).toMatch(/double \(c\d+\) attempt 1 succeeded/)
    expect(verbose.stderr).toMatch(/cache hit/)
    const bad = await runCli(['run', file, '--task', 'double', '--trace'])
    expect(bad.code).toBe(2)
    expect(bad.stderr.trim().split('\n')).toHaveLength(1)
  })
})
