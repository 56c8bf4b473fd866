// The queue entry on a real redis-server with real `capsule worker` processes: 200 calls shared
// by two workers; one worker SIGKILLed mid-run (every call still answered exactly once);
// SIGTERM finishing the calls in flight; a worker refusing another build's jobs; Redis down at
// submit; lifecycle events of queued calls. Short lock and stall intervals keep it quick.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { QueueEvents } from 'bullmq'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createQueueRuntime, createQueueWorker, type CapsuleEvent, type QueueRuntime } from 'unplugin-capsule/queue'
import { REPO_ROOT, runCli } from './helpers/cli.ts'
import { hasRedisServer, startRedis, type RedisServer } from './helpers/redis.ts'

const BIN = join(REPO_ROOT, 'bin', 'capsule.mjs')
const available = hasRedisServer()

interface WorkerProcess {
  child: ChildProcess
  served: () => number
  exited: Promise<number | null>
  stderr: () => string
}

describe.skipIf(!available)('unplugin-capsule/queue on a real Redis', () => {
  let redis: RedisServer
  let manifest: string
  const opened: { close(): Promise<void> }[] = []
  const children: ChildProcess[] = []

  beforeAll(async () => {
    redis = await startRedis()
    const out = mkdtempSync(join(tmpdir(), 'capsule-queue-build-'))
    const built = await runCli(['build', 'fixtures/queue.capsule.ts', '--out-dir', out])
    expect(built.code, built.stderr).toBe(0)
    manifest = join(out, 'capsule.manifest.json')
  })

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
    await Promise.allSettled(opened.map((o) => o.close()))
    await redis?.stop()
  })

  function client(queue: string, onEvent?: (event: CapsuleEvent) => void): QueueRuntime {
    const runtime = createQueueRuntime({ connection: redis.url, queue, onEvent })
    opened.push(runtime)
    return runtime
  }

  /** A `capsule worker` process; resolves once it says it is serving. */
  async function startWorker(queue: string, concurrency = 4, quickTakeover = false): Promise<WorkerProcess> {
    // A short lock makes a killed worker's jobs come back within seconds (default: 30 s).
    const takeover = quickTakeover ? ['--lock-duration', '3000', '--stalled-interval', '1000'] : []
    const child = spawn(process.execPath, [BIN, 'worker', manifest, '--redis', redis.url, '--queue', queue, '--concurrency', String(concurrency), ...takeover, '--verbose'],
      { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] })
    children.push(child)
    let stderr = ''
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (chunk) => {
        stderr += chunk
        if (stderr.includes('serving ')) resolve()
      })
      void exited.then((code) => reject(new Error(`worker exited (${code}): ${stderr}`)))
    })
    return { child, exited, stderr: () => stderr, served: () => stderr.match(/answered success/g)?.length ?? 0 }
  }

  it('two workers share 200 calls: every envelope correct, both served some', async () => {
    const queue = 'share'
    const [a, b] = await Promise.all([startWorker(queue), startWorker(queue)])
    const runtime = client(queue)
    const envelopes = await Promise.all(Array.from({ length: 200 }, (_, i) => runtime.run({ manifest, task: 'double', args: [i] })))
    expect(envelopes.map((e) => e.result)).toEqual(Array.from({ length: 200 }, (_, i) => i * 2))
    expect(envelopes.every((e) => e.success && e.execution.task_name === 'double')).toBe(true)
    expect(a.served()).toBeGreaterThan(0)
    expect(b.served()).toBeGreaterThan(0)
    expect(a.served() + b.served()).toBeGreaterThanOrEqual(200) // at-least-once: a job whose lock lapsed may run twice
    for (const worker of [a, b]) worker.child.kill('SIGTERM')
    expect(await Promise.all([a.exited, b.exited])).toEqual([0, 0])
  })

  it('a worker SIGKILLed mid-run: all 200 calls answered, none twice', async () => {
    const queue = 'kill'
    const [victim, survivor] = await Promise.all([startWorker(queue, 4, true), startWorker(queue, 4, true)])
    const completions = new Map<string, number>()
    const stalled: string[] = []
    const watcher = new QueueEvents(queue, { connection: { url: redis.url } })
    opened.push(watcher)
    watcher.on('completed', ({ jobId }) => completions.set(jobId, (completions.get(jobId) ?? 0) + 1))
    watcher.on('stalled', ({ jobId }) => stalled.push(jobId))
    await watcher.waitUntilReady()
    const ends = new Map<string, number>()
    const runtime = client(queue, (event) => {
      if (event.type === 'call:end') ends.set(event.callId, (ends.get(event.callId) ?? 0) + 1)
    })

    const calls = Array.from({ length: 200 }, (_, i) => runtime.run({ manifest, task: 'slowDouble', args: [i, 30] }))
    const killedAfter = await new Promise<number>((resolve) => {
      const check = setInterval(() => {
        if (victim.served() >= 10) {
          clearInterval(check)
          victim.child.kill('SIGKILL')
          resolve(victim.served())
        }
      }, 5)
    })
    const envelopes = await Promise.all(calls)
    expect(envelopes.map((e) => e.result)).toEqual(Array.from({ length: 200 }, (_, i) => i * 2))
    expect(await victim.exited).toBe(null) // killed, not exited
    expect(killedAfter).toBeLessThan(200)
    expect(survivor.served()).toBeGreaterThanOrEqual(200 - victim.served())
    // Exactly one answer per call: the caller saw each call end once, Redis completed each job once.
    expect(ends.size).toBe(200)
    expect([...ends.values()].every((n) => n === 1)).toBe(true)
    await new Promise((resolve) => setTimeout(resolve, 300)) // let the watcher read the last events
    expect(completions.size).toBe(200)
    expect([...completions.values()].every((n) => n === 1)).toBe(true)
    expect(stalled.length).toBeGreaterThan(0) // the killed worker's calls in flight were taken over
    survivor.child.kill('SIGTERM')
    expect(await survivor.exited).toBe(0)
  })

  it('SIGTERM finishes the calls in flight, then the worker exits 0', async () => {
    const queue = 'sigterm'
    const worker = await startWorker(queue, 3)
    const runtime = client(queue)
    let started = 0
    const allStarted = new Promise<void>((resolve) => {
      runtime.on('call:start', () => {
        if (++started === 3) resolve()
      })
    })
    const calls = [1, 2, 3].map((n) => runtime.run({ manifest, task: 'slowDouble', args: [n, 700] }))
    await allStarted
    worker.child.kill('SIGTERM')
    expect((await Promise.all(calls)).map((e) => [e.success, e.result])).toEqual([[true, 2], [true, 4], [true, 6]])
    expect(await worker.exited).toBe(0)
    expect(worker.stderr()).toMatch(/SIGTERM: finishing the calls in flight[\s\S]*stopped after 3 job/)
  })

  it('reports call:queued, call:start and call:end of queued calls to the caller', async () => {
    const queue = 'events'
    const worker = createQueueWorker({ manifest, connection: redis.url, queue, concurrency: 2 })
    opened.push(worker)
    await worker.ready()
    const seen: CapsuleEvent[] = []
    const runtime = client(queue, (event) => seen.push(event))
    const perRun: CapsuleEvent[] = []
    const envelope = await runtime.run({ manifest, task: 'double', args: [21], onEvent: (event) => perRun.push(event) })
    expect(envelope).toMatchObject({ success: true, result: 42 })
    expect(seen.map((e) => e.type)).toEqual(['call:queued', 'call:start', 'call:end'])
    expect(perRun).toEqual(seen)
    expect(seen.every((e) => e.callId === seen[0]!.callId && e.task === 'double' && e.module === 'fixtures/queue.capsule.ts')).toBe(true)
    expect(runtime.calls()).toEqual([])
  })

  it('a worker serving another build answers internal_error naming both manifests', async () => {
    const queue = 'other-build'
    const worker = createQueueWorker({ manifest, connection: redis.url, queue })
    opened.push(worker)
    await worker.ready()
    // The same build, re-serialized: another sha256, so another manifest as far as jobs go.
    const other = join(mkdtempSync(join(tmpdir(), 'capsule-queue-other-')), 'capsule.manifest.json')
    writeFileSync(other, JSON.stringify(JSON.parse(readFileSync(manifest, 'utf8'))))
    const envelope = await client(queue).run({ manifest: other, task: 'double', args: [1] })
    expect(envelope.error?.error_type).toBe('internal_error')
    expect(envelope.error?.message).toContain(worker.manifestSha256)
    expect(envelope.error?.message).toMatch(/this worker serves manifest .* but the job names manifest [0-9a-f]{64}/)
  })

  it('calls in flight resume when Redis restarts (with persistence)', async () => {
    const persistent = await startRedis({ persist: true })
    opened.push({ close: () => persistent.stop() })
    const worker = createQueueWorker({ manifest, connection: persistent.url, queue: 'restart', concurrency: 4 })
    const runtime = createQueueRuntime({ connection: persistent.url, queue: 'restart' })
    opened.unshift(worker, runtime) // closed before the server stops
    await worker.ready()
    const firstStarted = new Promise<void>((resolve) => {
      const off = runtime.on('call:start', () => {
        off()
        resolve()
      })
    })
    const calls = Array.from({ length: 12 }, (_, i) => runtime.run({ manifest, task: 'slowDouble', args: [i, 200] }))
    await firstStarted
    await persistent.restart()
    const envelopes = await Promise.all(calls)
    expect(envelopes.map((e) => e.result)).toEqual(Array.from({ length: 12 }, (_, i) => i * 2))
  })

  it('refuses a file target and unknown tasks with a CapsuleError, and rejects when Redis is down', async () => {
    const runtime = client('refusals')
    await expect(runtime.run({ file: 'fixtures/queue.capsule.ts' })).rejects.toMatchObject({ name: 'CapsuleError', code: 'INVALID_RUN_OPTIONS', message: expect.stringMatching(/prebuilt artifacts/) })
    await expect(runtime.run({ manifest, task: 'ghost' })).rejects.toMatchObject({ code: 'TASK_NOT_FOUND' })
    const down = createQueueRuntime({ connection: 'redis://127.0.0.1:1', connectTimeout: '1s' })
    opened.push(down)
    await expect(down.run({ manifest, task: 'double', args: [1] })).rejects.toMatchObject({ name: 'CapsuleError', code: 'QUEUE_UNAVAILABLE', message: expect.stringContaining('redis://127.0.0.1:1') })
  })
})
