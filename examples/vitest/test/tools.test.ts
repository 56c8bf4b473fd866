// Every envelope matcher, in its passing form and its `.not` form, on real sandboxed calls.
// Matchers on a task call return a Promise: always `await` them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { busy, fetchStatus, fibonacci, flaky, parsePrice } from '../tasks/tools.capsule.ts'
import { startServer } from './server.ts'

let server: Awaited<ReturnType<typeof startServer>>
beforeAll(async () => {
  server = await startServer()
})
afterAll(() => server.close())

describe('success and results', () => {
  it('toSucceed / toSucceedWith', async () => {
    await expect(fibonacci(10)).toSucceed()
    await expect(parsePrice('abc')).not.toSucceed()
    await expect(fibonacci(10)).toSucceedWith(55)
    await expect(fibonacci(10)).not.toSucceedWith(56)
    await expect(fetchStatus(`${server.url}/ping`)).toSucceedWith({ status: 200, body: expect.stringContaining('pong') })
  })

  it('toSucceedWithin', async () => {
    await expect(fibonacci(10)).toSucceedWithin('5s')
    await expect(busy(300)).not.toSucceedWithin('100ms')
  })

  it('a resolved envelope is checked synchronously', async () => {
    const envelope = await parsePrice('$12.50')
    expect(envelope).toSucceedWith(12.5)
    expect(envelope).not.toFail()
  })
})

describe('failures', () => {
  it('toFail / toFailWith', async () => {
    await expect(parsePrice('abc')).toFail()
    await expect(parsePrice('$3')).not.toFail()
    await expect(parsePrice('abc')).toFailWith('task_error', 'not a price')
    await expect(parsePrice('abc')).toFailWith('task_error', /not a price: abc/)
    await expect(parsePrice('abc')).not.toFailWith('timeout')
  })

  it('toHaveRetried', async () => {
    await expect(flaky()).toHaveRetried(2)
    await expect(flaky()).toHaveRetried()
    await expect(fibonacci(3)).not.toHaveRetried()
    await expect(flaky()).not.toHaveRetried(1)
  })
})

describe('resources', () => {
  it('toUseFuelBelow: deterministic, so a budget that holds in CI', async () => {
    await expect(fibonacci(30)).toUseFuelBelow(50_000_000)
    await expect(fibonacci(30)).not.toUseFuelBelow(1_000)
  })

  it('toUseMemoryBelow', async () => {
    await expect(fibonacci(30)).toUseMemoryBelow('64MB')
    await expect(fibonacci(30)).not.toUseMemoryBelow('1MB')
  })
})

describe('what the task did', () => {
  it('toHaveRequested', async () => {
    const call = fetchStatus(`${server.url}/v1/items`)
    await expect(call).toHaveRequested('127.0.0.1')
    await expect(call).toHaveRequested(`${server.url}/v1/`)
    await expect(call).toHaveRequested(/\/v1\/items$/)
    await expect(call).not.toHaveRequested('api.example.com')
    await expect(fibonacci(3)).not.toHaveRequested(/./)
  })

  it('toHaveLogged', async () => {
    await expect(fetchStatus(`${server.url}/`)).toHaveLogged('GET http://127.0.0.1')
    await expect(fetchStatus(`${server.url}/`)).toHaveLogged(/^GET /, 'info')
    await expect(parsePrice('abc')).toHaveLogged('cannot parse', 'warn')
    await expect(parsePrice('abc')).not.toHaveLogged('cannot parse', 'error')
    await expect(fibonacci(3)).not.toHaveLogged('anything')
  })
})
