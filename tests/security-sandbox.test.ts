// Attacks through the public contract on a real compiled module (fixtures/security/attacks),
// as an attacker who writes both a task's code and its arguments (issue #10 items 3, 4, 5,
// 9 and 12): a grant swapped before a sub-task, deep results, sub-task fuel, out of memory,
// import.meta, request floods. Every call must be answered with the right error type.
import { symlinkSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRuntime } from 'unplugin-capsule/runtime'
import { REPO_ROOT } from './helpers/cli.ts'
import { makeProject } from './helpers/project.ts'

const SECRET = 'PROJECT-ROOT-SECRET-77A1'
const root = makeProject('security-sandbox', { 'secret.txt': SECRET, 'out/pub/public.txt': 'public' },
  { 'attacks.capsule.ts': join(REPO_ROOT, 'fixtures/security/attacks.capsule.ts') })
symlinkSync('..', join(root, 'out', 'up'))

const runtime = createRuntime({ cwd: root, cacheDir: join(REPO_ROOT, 'node_modules/.cache/capsule'), poolSize: 2 })
const call = (task: string, ...args: unknown[]) => runtime.run({ file: 'attacks.capsule.ts', task, args })

let server: Server
let url: string

beforeAll(async () => {
  server = createServer((_req, res) => res.end('ok'))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  // Compile once (slow on a busy machine), outside the per-test timeouts.
  await runtime.run({ file: 'attacks.capsule.ts', task: 'meta' })
}, 600_000)

afterAll(async () => {
  await runtime.close()
  server.closeAllConnections()
  server.close()
})

describe('a grant swapped for a symlink before a sub-task runs', () => {
  it('the sub-task cannot read the project root through its swapped grant', async () => {
    const envelope = await call('swapAndPeek', 'out/pub/secret.txt')
    expect(JSON.stringify(envelope)).not.toContain(SECRET)
    expect(envelope).toMatchObject({ success: true, result: { error: 'permission_denied' } })
  })
})

describe('deep results', () => {
  it.each([1_500, 3_000, 8_000])('a result nested %i deep answers invalid_output', async (depth) => {
    const envelope = await call('deep', depth)
    expect(envelope.error).toMatchObject({ error_type: 'invalid_output' })
    expect(envelope.error?.message).toContain('nested deeper than')
  })

  it.each([3_000, 8_000])("a sub-task's result nested %i deep answers invalid_output to its caller", async (depth) => {
    expect(await call('deepCaller', depth)).toMatchObject({ success: true, result: 'invalid_output' })
  })

  it('a result within the limit still comes back', async () => {
    const envelope = await call('deep', 500)
    expect(envelope.success).toBe(true)
    let level = envelope.result
    let depth = 0
    while (Array.isArray(level) && level.length === 1) {
      level = level[0]
      depth++
    }
    expect(depth).toBe(499)
  })
})

describe('sub-task fuel', () => {
  it("is charged to the caller: its fuel_consumed includes its sub-tasks'", async () => {
    const envelope = await call('burnCaller', 3, 10_000)
    expect(envelope.success).toBe(true)
    const children = envelope.result as number[]
    const childFuel = children.reduce((sum, fuel) => sum + fuel, 0)
    expect(childFuel).toBeGreaterThan(0)
    expect(envelope.execution.fuel_consumed).toBeGreaterThan(childFuel)
  })

  it('children burning more than the caller has left end the caller with fuel_exhausted', async () => {
    const envelope = await call('burnCaller', 10, 400_000)
    expect(envelope.error?.error_type).toBe('fuel_exhausted')
    expect(envelope.execution.fuel_consumed).toBeGreaterThanOrEqual(30_000_000)
  })
})

describe('out of memory', () => {
  it('a big ArrayBuffer over the ram cap is memory_exceeded', async () => {
    expect((await call('bigBuffer')).error?.error_type).toBe('memory_exceeded')
  })

  it('string doubling over the ram cap is memory_exceeded', async () => {
    expect((await call('doubling')).error?.error_type).toBe('memory_exceeded')
  })

  it('an argument bigger than the ram cap is memory_exceeded', async () => {
    expect((await call('bigArgument', 'x'.repeat(40 * 1024 * 1024))).error?.error_type).toBe('memory_exceeded')
  })
})

describe('smaller holes', () => {
  it('reading import.meta is a normal, catchable error', async () => {
    const envelope = await call('meta')
    expect(envelope).toMatchObject({ success: true })
    expect(envelope.result).toMatch(/^caught: TypeError: import\.meta is not available/)
  })

  it('host_requests is capped, and an over-long URL is refused before it is sent', async () => {
    const envelope = await call('manyRequests', url, 510)
    expect(envelope.success).toBe(true)
    const result = envelope.result as { ok: number; failed: string; longUrl: string }
    expect(result.longUrl).toContain('longer than')
    expect(result.ok).toBe(500)
    expect(result.failed).toContain('at most 500 HTTP requests')
    expect(envelope.execution.host_requests).toHaveLength(500)
  }, 240_000)
})
