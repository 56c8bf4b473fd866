// The envelope matchers of `unplugin-capsule/vitest`, on hand-built envelopes: each one's pass,
// its message (direct and under `.not`), envelopes and promises of envelopes, and the usage errors
// for bad arguments. The real thing (a task compiled and called under `vitest run`) is in
// vitest-e2e.test.ts.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, expectTypeOf, it } from 'vitest'
import type { Envelope } from 'unplugin-capsule'
import capsuleTest, { matchers } from 'unplugin-capsule/vitest'
import 'unplugin-capsule/vitest/setup'
import { REPO_ROOT } from './helpers/cli.ts'

function execution(overrides: Partial<Envelope['execution']> = {}): Envelope['execution'] {
  return { task_name: 'add', duration_ms: 12.5, retries: 0, fuel_consumed: 5_000, ram_used: 10_000_000, host_requests: [], logs: [], ...overrides }
}

function ok<T>(result: T, overrides: Partial<Envelope['execution']> = {}): Envelope<T> {
  return { success: true, result, error: null, execution: execution(overrides) }
}

function failed(error_type: NonNullable<Envelope['error']>['error_type'], message: string, overrides: Partial<Envelope['execution']> = {}): Envelope {
  return { success: false, result: null, error: { error_type, message }, execution: execution(overrides) }
}

const plain = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '')

/** The message of the assertion `run` makes fail (sync or async), without colors. */
async function failure(run: () => unknown): Promise<string> {
  try {
    await run()
  } catch (error) {
    return plain((error as Error).message)
  }
  throw new Error('expected the assertion to fail')
}

describe('toSucceed', () => {
  it('passes on success, fails on failure with the error_type and message', async () => {
    expect(ok(5)).toSucceed()
    expect(failed('task_error', 'boom')).not.toSucceed()
    const message = await failure(() => expect(failed('task_error', 'boom: bad input')).toSucceed())
    expect(message).toContain('expect(received).toSucceed()')
    expect(message).toContain('Expected the task "add" to succeed, but it failed')
    expect(message).toContain('Received error_type: "task_error"')
    expect(message).toContain('Received message:    "boom: bad input"')
  })

  it('.not fails on success and shows the result', async () => {
    const message = await failure(() => expect(ok({ sum: 5 })).not.toSucceed())
    expect(message).toContain('expect(received).not.toSucceed()')
    expect(message).toContain('Expected the task "add" to fail, but it succeeded')
    expect(message).toContain('Received result: Object {\n  "sum": 5,\n}')
  })

  it('awaits a promise of an envelope (a task call)', async () => {
    await expect(Promise.resolve(ok(5))).toSucceed()
    await expect(Promise.resolve(failed('timeout', 'too slow'))).not.toSucceed()
    const message = await failure(() => expect(Promise.resolve(failed('timeout', 'too slow'))).toSucceed())
    expect(message).toContain('Received error_type: "timeout"')
  })
})

describe('toSucceedWith', () => {
  it('passes when the result deep-equals, asymmetric matchers included', async () => {
    expect(ok({ a: [1, 2] })).toSucceedWith({ a: [1, 2] })
    expect(ok({ a: [1, 2], b: 'x' })).toSucceedWith({ a: [1, 2], b: expect.any(String) })
    await expect(Promise.resolve(ok(5))).toSucceedWith(5)
    expect(ok(5)).not.toSucceedWith(6)
    expect(failed('task_error', 'boom')).not.toSucceedWith(null)
  })

  it('another result: shows both, with a diff', async () => {
    const message = await failure(() => expect(ok({ sum: 5 })).toSucceedWith({ sum: 6 }))
    expect(message).toContain('expect(received).toSucceedWith(expected)')
    expect(message).toContain('Expected the task "add" to succeed with another result')
    expect(message).toContain('Expected result: Object {\n  "sum": 6,\n}')
    expect(message).toContain('Received result: Object {\n  "sum": 5,\n}')
    // Vitest prints a diff from these.
    expect(() => expect(ok({ sum: 5 })).toSucceedWith({ sum: 6 })).toThrow(expect.objectContaining({ actual: { sum: 5 }, expected: { sum: 6 } }))
  })

  it('a failed call: shows the error; .not: says it did succeed with it', async () => {
    const message = await failure(() => expect(failed('permission_denied', 'host evil.com is not allowed')).toSucceedWith(1))
    expect(message).toContain('Expected the task "add" to succeed, but it failed')
    expect(message).toContain('Received error_type: "permission_denied"')
    expect(message).toContain('Received message:    "host evil.com is not allowed"')
    const not = await failure(() => expect(ok(5)).not.toSucceedWith(5))
    expect(not).toContain('expect(received).not.toSucceedWith(expected)')
    expect(not).toContain('Expected the task "add" not to succeed with this result, but it did')
  })
})

describe('toSucceedWithin', () => {
  it("accepts the timeout option's forms: '50ms', '2s', '1m30s', a number of ms", async () => {
    const fast = ok(1, { duration_ms: 12.5 })
    expect(fast).toSucceedWithin('50ms')
    expect(fast).toSucceedWithin('2s')
    expect(fast).toSucceedWithin('1m30s')
    expect(fast).toSucceedWithin(13)
    expect(fast).not.toSucceedWithin(12)
    expect(fast).not.toSucceedWithin('10ms')
    await expect(Promise.resolve(fast)).toSucceedWithin('1s')
  })

  it('too slow, or failed: says how long it took', async () => {
    const slow = await failure(() => expect(ok(1, { duration_ms: 73.25 })).toSucceedWithin('0.05s'))
    expect(slow).toContain('expect(received).toSucceedWithin(duration)')
    expect(slow).toContain('Expected the task "add" to succeed within "50 ms" (0.05s), but it took "73.25 ms"')
    const error = await failure(() => expect(failed('fuel_exhausted', 'out of fuel', { duration_ms: 3 })).toSucceedWithin(50))
    expect(error).toContain('Expected the task "add" to succeed within "50 ms", but it failed (after "3 ms")')
    expect(error).toContain('Received error_type: "fuel_exhausted"')
    expect(failed('fuel_exhausted', 'out of fuel', { duration_ms: 3 })).not.toSucceedWithin(50)
    const not = await failure(() => expect(ok(1)).not.toSucceedWithin('1s'))
    expect(not).toContain('Expected the task "add" not to succeed within "1000 ms" (1s), but it succeeded in "12.5 ms"')
  })

  it('a bad duration throws, naming the accepted forms (before awaiting anything)', () => {
    expect(() => expect(ok(1)).toSucceedWithin('fast')).toThrow(
      /^toSucceedWithin\(duration\): 'fast' is not a valid duration; accepted: a positive number of milliseconds or a string like '500ms', '30s', '5m', '1h', '1m30s'/,
    )
    expect(() => expect(ok(1)).toSucceedWithin(-5)).toThrow(/-5 is not a positive number of milliseconds; accepted: /)
    expect(() => expect(ok(1)).not.toSucceedWithin('50')).toThrow(/'50' has no unit/)
    expect(() => expect(Promise.resolve(ok(1))).toSucceedWithin(undefined as unknown as string)).toThrow(/undefined is undefined, not a duration; accepted: /)
  })
})

describe('toFailWith', () => {
  it('passes on that error_type; a string message is contained, a RegExp matched', async () => {
    const boom = failed('task_error', 'boom: bad input')
    expect(boom).toFailWith('task_error')
    expect(boom).toFailWith('task_error', 'bad input')
    expect(boom).toFailWith('task_error', /^boom/)
    expect(boom).not.toFailWith('timeout')
    expect(boom).not.toFailWith('task_error', 'other')
    expect(boom).not.toFailWith('task_error', /^bad/)
    expect(ok(1)).not.toFailWith('task_error')
    await expect(Promise.resolve(boom)).toFailWith('task_error', /boom/)
    const global = /boom/g
    expect(boom).toFailWith('task_error', global)
    expect(boom).toFailWith('task_error', global) // lastIndex does not leak between calls
  })

  it('messages: another error_type, another message, a success, and .not', async () => {
    const type = await failure(() => expect(failed('timeout', 'stopped after 50 ms')).toFailWith('task_error', /boom/))
    expect(type).toContain('expect(received).toFailWith(errorType, message)')
    expect(type).toContain('Expected the task "add" to fail with another error_type')
    expect(type).toContain('Expected error_type: "task_error"')
    expect(type).toContain('Expected message:    matching /boom/')
    expect(type).toContain('Received error_type: "timeout"')
    const message = await failure(() => expect(failed('task_error', 'bang')).toFailWith('task_error', 'boom'))
    expect(message).toContain('Expected the task "add" to fail with another message')
    expect(message).toContain('Expected message:    containing "boom"')
    expect(message).toContain('Received message:    "bang"')
    const success = await failure(() => expect(ok(5)).toFailWith('task_error'))
    expect(success).toContain('expect(received).toFailWith(errorType)')
    expect(success).toContain('Expected the task "add" to fail, but it succeeded')
    expect(success).toContain('Received result: 5')
    const not = await failure(() => expect(failed('task_error', 'boom')).not.toFailWith('task_error'))
    expect(not).toContain('expect(received).not.toFailWith(errorType)')
    expect(not).toContain('Expected the task "add" not to fail this way, but it did')
  })

  it('a bad errorType or message throws, naming the accepted forms', () => {
    expect(() => expect(failed('task_error', 'x')).toFailWith('boom' as 'task_error')).toThrow(
      "toFailWith(errorType, message?): errorType 'boom' is not an error_type; accepted: one of 'task_error', 'timeout', 'fuel_exhausted', 'memory_exceeded', 'wasm_trap', 'permission_denied', 'invalid_input', 'invalid_output', 'internal_error'",
    )
    expect(() => expect(failed('task_error', 'x')).toFailWith('task_error', 42 as unknown as string)).toThrow(
      'toFailWith(errorType, message?): message 42 is neither a string nor a RegExp; accepted: a string (the error message must contain it), a RegExp (it must match), or nothing',
    )
  })
})

describe('toUseFuelBelow', () => {
  it('compares execution.fuel_consumed, whether the call succeeded or not', async () => {
    expect(ok(1, { fuel_consumed: 5_000 })).toUseFuelBelow(5_001)
    expect(ok(1, { fuel_consumed: 5_000 })).not.toUseFuelBelow(5_000)
    expect(failed('fuel_exhausted', 'out of fuel', { fuel_consumed: 100 })).toUseFuelBelow(1_000)
    await expect(Promise.resolve(ok(1, { fuel_consumed: 5_000 }))).toUseFuelBelow(1e6)
    const message = await failure(() => expect(failed('fuel_exhausted', 'out of fuel', { fuel_consumed: 100_000_000 })).toUseFuelBelow(50_000_000))
    expect(message).toContain('expect(received).toUseFuelBelow(fuel)')
    expect(message).toContain('Expected the task "add" to use less fuel')
    expect(message).toContain('Expected fuel: < 50000000')
    expect(message).toContain('Received fuel:   100000000 (the call failed: fuel_exhausted)')
    const not = await failure(() => expect(ok(1, { fuel_consumed: 10 })).not.toUseFuelBelow(20))
    expect(not).toContain('expect(received).not.toUseFuelBelow(fuel)')
    expect(not).toContain('Expected the task "add" not to use less than 20 fuel')
  })

  it('a bad limit throws, naming the accepted forms', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, '1000']) {
      expect(() => expect(ok(1)).toUseFuelBelow(bad as number)).toThrow(/^toUseFuelBelow\(fuel\): .* is not a positive finite number; accepted: a positive number of fuel units, e\.g\. 50_000_000$/)
    }
  })
})

describe('toFail', () => {
  it('passes on any failure, fails on success showing the result', async () => {
    expect(failed('timeout', 'too slow')).toFail()
    expect(ok(5)).not.toFail()
    await expect(Promise.resolve(failed('wasm_trap', 'unreachable'))).toFail()
    const message = await failure(() => expect(ok({ sum: 5 })).toFail())
    expect(message).toContain('expect(received).toFail()')
    expect(message).toContain('Expected the task "add" to fail, but it succeeded')
    expect(message).toContain('Received result: Object {\n  "sum": 5,\n}')
  })

  it('.not on a failure shows its error_type, message and logs', async () => {
    const logs = [{ level: 'log' as const, message: 'starting' }]
    const message = await failure(() => expect(failed('task_error', 'Error: boom', { logs })).not.toFail())
    expect(message).toContain('expect(received).not.toFail()')
    expect(message).toContain('Expected the task "add" not to fail, but it failed')
    expect(message).toContain('Received error_type: "task_error"')
    expect(message).toContain('Received message:    "Error: boom"')
    expect(message).toContain('Received logs (1):\n  [log] "starting"')
  })
})

describe('toUseMemoryBelow', () => {
  it("takes the ram option's forms ('16MB', '512KB', bytes) and compares execution.ram_used", async () => {
    const envelope = ok(1, { ram_used: 10_000_000 })
    expect(envelope).toUseMemoryBelow('16MB')
    expect(envelope).toUseMemoryBelow(10_000_001)
    expect(envelope).not.toUseMemoryBelow(10_000_000)
    expect(envelope).not.toUseMemoryBelow('512KB')
    expect(failed('memory_exceeded', 'out of memory', { ram_used: 1_000 })).toUseMemoryBelow('1MiB')
    await expect(Promise.resolve(envelope)).toUseMemoryBelow('1.5GB')
  })

  it('messages show both sizes, readable and in bytes', async () => {
    const message = await failure(() => expect(failed('memory_exceeded', 'out of memory', { ram_used: 33_554_432 })).toUseMemoryBelow('16MB'))
    expect(message).toContain('expect(received).toUseMemoryBelow(size)')
    expect(message).toContain('Expected the task "add" to use less memory')
    expect(message).toContain('Expected memory: < "16 MiB (16777216 bytes)"')
    expect(message).toContain('Received memory:   "32 MiB (33554432 bytes)" (the call failed: memory_exceeded)')
    const not = await failure(() => expect(ok(1, { ram_used: 1024 })).not.toUseMemoryBelow('1MB'))
    expect(not).toContain('Expected the task "add" not to use less than 1 MiB of memory')
  })

  it('a bad size throws, naming the accepted forms', () => {
    expect(() => expect(ok(1)).toUseMemoryBelow('lots')).toThrow(/^toUseMemoryBelow\(size\): 'lots' is not a valid size; accepted: a byte count or a string like '512KB', '64MB'/)
    expect(() => expect(ok(1)).not.toUseMemoryBelow(-1)).toThrow(/^toUseMemoryBelow\(size\): -1 is not a positive integer number of bytes; accepted: /)
  })
})

describe('toHaveRequested', () => {
  const requests = [
    { method: 'GET', url: 'https://api.example.com/v1/users?id=2', status: 200, duration_ms: 12 },
    { method: 'POST', url: 'http://127.0.0.1:8080/hook', status: null, duration_ms: 0 },
  ]

  it('a host (any port unless given), a URL prefix, or a RegExp against the URL', async () => {
    const envelope = ok(1, { host_requests: requests })
    expect(envelope).toHaveRequested('api.example.com')
    expect(envelope).toHaveRequested('API.Example.com')
    expect(envelope).toHaveRequested('127.0.0.1')
    expect(envelope).toHaveRequested('127.0.0.1:8080')
    expect(envelope).not.toHaveRequested('127.0.0.1:9090')
    expect(envelope).not.toHaveRequested('example.com')
    expect(envelope).toHaveRequested('https://api.example.com/v1/')
    expect(envelope).not.toHaveRequested('https://api.example.com/v2/')
    expect(envelope).toHaveRequested(/\/users\?id=\d+$/)
    expect(ok(1)).not.toHaveRequested(/./)
    await expect(Promise.resolve(envelope)).toHaveRequested('api.example.com')
  })

  it('messages list the requests made', async () => {
    const message = await failure(() => expect(ok(1, { host_requests: requests })).toHaveRequested('evil.com'))
    expect(message).toContain('expect(received).toHaveRequested(hostOrUrl)')
    expect(message).toContain('Expected the task "add" to request it, but it did not')
    expect(message).toContain('Expected a request to host "evil.com"')
    expect(message).toContain('Received requests (2):\n  GET "https://api.example.com/v1/users?id=2" → 200\n  POST "http://127.0.0.1:8080/hook" → no response (failed)')
    const none = await failure(() => expect(ok(1)).toHaveRequested(/api/))
    expect(none).toContain('Expected a request to a URL matching /api/')
    expect(none).toContain('Received requests: (none: the task made no HTTP request)')
    const not = await failure(() => expect(ok(1, { host_requests: requests })).not.toHaveRequested('https://api.example.com/'))
    expect(not).toContain('Expected the task "add" not to request it, but it did')
    expect(not).toContain('Expected a request to a URL starting with "https://api.example.com/"')
  })

  it('a bad target throws, naming the accepted forms', () => {
    expect(() => expect(ok(1)).toHaveRequested('')).toThrow(/^toHaveRequested\(hostOrUrl\): '' is neither a non-empty string nor a RegExp; accepted: a host \('api\.example\.com', '127\.0\.0\.1:8080'\), a URL prefix/)
    expect(() => expect(ok(1)).toHaveRequested(42 as unknown as string)).toThrow(/42 is neither a non-empty string nor a RegExp/)
  })
})

describe('toHaveRetried', () => {
  it('exactly n retries, or at least one without n', async () => {
    expect(ok(1, { retries: 2 })).toHaveRetried(2)
    expect(ok(1, { retries: 2 })).toHaveRetried()
    expect(ok(1, { retries: 2 })).not.toHaveRetried(1)
    expect(ok(1)).toHaveRetried(0)
    expect(ok(1)).not.toHaveRetried()
    await expect(Promise.resolve(failed('task_error', 'flaky', { retries: 3 }))).toHaveRetried(3)
  })

  it('messages show the retries and how the call ended', async () => {
    const message = await failure(() => expect(failed('task_error', 'Error: flaky', { retries: 1 })).toHaveRetried(2))
    expect(message).toContain('expect(received).toHaveRetried(times)')
    expect(message).toContain('Expected the task "add" to be retried 2 retries')
    expect(message).toContain('Expected: "2 retries"')
    expect(message).toContain('Received: "1 retry"; the call failed')
    expect(message).toContain('Received message:    "Error: flaky"')
    const none = await failure(() => expect(ok(1)).toHaveRetried())
    expect(none).toContain('expect(received).toHaveRetried()')
    expect(none).toContain('Expected the task "add" to be retried at least once')
    expect(none).toContain('Received: "0 retries"; the call succeeded')
    const not = await failure(() => expect(ok(1, { retries: 1 })).not.toHaveRetried())
    expect(not).toContain('Expected the task "add" not to be retried at all, but it was')
  })

  it('a bad count throws, naming the accepted forms', () => {
    for (const bad of [-1, 1.5, 11, '2']) {
      expect(() => expect(ok(1)).toHaveRetried(bad as number)).toThrow(/^toHaveRetried\(times\?\): .* is not an integer from 0 to 10; accepted: an integer from 0 to 10 \(the exact number of retries\), or nothing \(at least one retry\)$/)
    }
  })
})

describe('toHaveLogged', () => {
  const logs = [
    { level: 'log' as const, message: 'fetching 3 pages' },
    { level: 'warn' as const, message: 'page 2 was slow' },
  ]

  it('a substring or a RegExp, at any level or the given one', async () => {
    const envelope = ok(1, { logs })
    expect(envelope).toHaveLogged('3 pages')
    expect(envelope).toHaveLogged(/page \d was slow/)
    expect(envelope).toHaveLogged('slow', 'warn')
    expect(envelope).not.toHaveLogged('slow', 'error')
    expect(envelope).not.toHaveLogged('crash')
    expect(failed('task_error', 'boom', { logs })).toHaveLogged('fetching')
    await expect(Promise.resolve(envelope)).toHaveLogged('fetching', 'log')
  })

  it('messages list every log seen, or say there were none', async () => {
    const message = await failure(() => expect(ok(1, { logs })).toHaveLogged('done', 'info'))
    expect(message).toContain('expect(received).toHaveLogged(text, level)')
    expect(message).toContain('Expected the task "add" to log it, but it did not')
    expect(message).toContain('Expected a log containing "done" at level "info"')
    expect(message).toContain('Received logs (2):\n  [log] "fetching 3 pages"\n  [warn] "page 2 was slow"')
    const none = await failure(() => expect(ok(1)).toHaveLogged(/x/))
    expect(none).toContain('Received logs: (none: the task logged nothing)')
    const not = await failure(() => expect(ok(1, { logs })).not.toHaveLogged('pages'))
    expect(not).toContain('Expected the task "add" not to log it, but it did')
  })

  it('a bad text or level throws, naming the accepted forms', () => {
    expect(() => expect(ok(1)).toHaveLogged(5 as unknown as string)).toThrow(
      'toHaveLogged(text, level?): text 5 is neither a string nor a RegExp; accepted: a string (a log message must contain it) or a RegExp (a log message must match it)',
    )
    expect(() => expect(ok(1)).toHaveLogged('x', 'verbose' as 'log')).toThrow(
      "toHaveLogged(text, level?): level 'verbose' is not a console level; accepted: one of 'log', 'info', 'warn', 'error', 'debug', or nothing (any level)",
    )
  })
})

describe('the received value', () => {
  it('must be an envelope or a promise of one: anything else throws, naming the accepted forms', async () => {
    const accepted = 'accepted: an envelope ({ success, result, error, execution }, what calling a task resolves to) or a Promise of one, e.g. expect(myTask(2, 3)).toSucceed()'
    expect(() => expect(42).toSucceed()).toThrow(`toSucceed(): received must be an envelope, got a number 42; ${accepted}`)
    expect(() => expect({ success: 'yes' }).not.toSucceed()).toThrow(/toSucceed\(\): received must be an envelope, got an object whose "success" is a string, not a boolean/)
    expect(() => expect({ success: true, result: 1, error: null }).toSucceedWith(1)).toThrow(/toSucceedWith\(\): received must be an envelope, got an object without a valid "execution"/)
    expect(() => expect({ success: false, result: null, error: 'boom', execution: execution() }).toFailWith('task_error')).toThrow(/"error" is neither null nor \{ error_type, message \}/)
    await expect(expect(Promise.resolve(null)).toSucceed()).rejects.toThrow(`toSucceed(): received must be an envelope, got null null; ${accepted}`)
    // A rejected task call is not an envelope: its own error comes through.
    await expect(expect(Promise.reject(new Error('no such task'))).toSucceed()).rejects.toThrow('no such task')
  })
})

describe('unplugin-capsule/vitest', () => {
  it('exports the matchers for a manual expect.extend', () => {
    expect(Object.keys(matchers).sort()).toEqual([
      'toFail', 'toFailWith', 'toHaveLogged', 'toHaveRequested', 'toHaveRetried',
      'toSucceed', 'toSucceedWith', 'toSucceedWithin', 'toUseFuelBelow', 'toUseMemoryBelow',
    ])
    expect.extend(matchers) // idempotent with the setup file's registration
    expect(ok(1)).toSucceed()
  })

  it('capsuleTest(): the capsule transform plus a plugin adding the built setup file to test.setupFiles', () => {
    const plugins = capsuleTest({ defaults: { timeout: '10s' } })
    expect(plugins.map((plugin) => plugin.name)).toEqual(['unplugin-capsule', 'unplugin-capsule:vitest'])
    const config = plugins[1]!.config as () => { test: { setupFiles: string[] } }
    const [setupFile] = config().test.setupFiles
    expect(setupFile).toBe(join(REPO_ROOT, 'dist/vitest-setup.mjs'))
    expect(existsSync(setupFile!)).toBe(true)
  })

  it('types: a task call (a promise) gives a Promise to await, an envelope a synchronous check', () => {
    const call = Promise.resolve(ok(5))
    expectTypeOf(expect(call).toSucceedWith).returns.toEqualTypeOf<Promise<void>>()
    expectTypeOf(expect(ok(5)).toSucceed).returns.toEqualTypeOf<void>()
    expectTypeOf(expect(ok(5)).toFailWith).parameter(0).toEqualTypeOf<NonNullable<Envelope['error']>['error_type']>()
    expectTypeOf(expect(call).toHaveLogged).parameter(1).toEqualTypeOf<'debug' | 'info' | 'log' | 'warn' | 'error' | undefined>()
  })

  it('types: the result type of the envelope flows into toSucceedWith', () => {
    const call = Promise.resolve(ok({ sum: 5 }))
    expectTypeOf(expect(call).toSucceedWith).parameter(0).toEqualTypeOf<{ sum: number }>()
    expectTypeOf(expect(ok('text')).toSucceedWith).parameter(0).toEqualTypeOf<string>()
    expectTypeOf(expect(42 as unknown).toSucceedWith).parameter(0).toEqualTypeOf<unknown>()
    // @ts-expect-error -- a string is not the { sum: number } the task answers
    expect(ok({ sum: 5 })).not.toSucceedWith('5')
  })

  it('importing it loads no compiler, and not vitest itself (only the Vite plugin)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'capsule-vitest-loaded-'))
    try {
      const log = join(dir, 'loaded.log')
      const register = join(REPO_ROOT, 'fixtures/plugin/loaded-modules/register.mjs')
      const result = spawnSync(process.execPath, ['--import', register, '--input-type=module', '-e',
        "const { default: capsuleTest } = await import('unplugin-capsule/vitest'); capsuleTest()"], {
        cwd: REPO_ROOT, env: { ...process.env, CAPSULE_LOADED_LOG: log }, encoding: 'utf8',
      })
      expect(result.stderr).toBe('')
      expect(result.status).toBe(0)
      const loaded = readFileSync(log, 'utf8').trim().split('\n')
      expect(loaded.some((url) => url.endsWith('/dist/vitest.mjs'))).toBe(true)
      expect(loaded.filter((url) => /componentize|@bytecodealliance|binaryen|oxc-parser|esbuild|\/dist\/compile-|\/node_modules\/vitest\//.test(url))).toEqual([])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
