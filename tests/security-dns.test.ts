// DNS rebinding through host rules (issue #10 item 8): names are resolved on the host and the
// hop connects to the address that was checked; a name matched only by a wildcard rule ('*',
// '*.x') never reaches a loopback/private/link-local address, on any redirect hop either; an
// exact name rule or an IP-literal rule does. A resolver hook maps test names to 127.0.0.1.
import { rmSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Worker } from 'node:worker_threads'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startHttpClientWorker } from './helpers/http-client-worker.ts'
import { isInternalAddress } from '../src/runtime/capabilities/addresses.ts'
import type { HttpRequest, HttpResult } from '../src/runtime/capabilities/http.ts'

let server: Server
let port: number
const seen: IncomingMessage['headers'][] = []
let worker: Worker
let bundleDir: string
let nextId = 0

function call(url: string, rules: string[]) {
  const id = ++nextId
  const req: HttpRequest = { method: 'GET', url, headers: [] }
  return new Promise<{ result: HttpResult; denials: number }>((resolve) => {
    const onMessage = (message: { id: number; result: HttpResult; denials: number }) => {
      if (message.id !== id) return
      worker.off('message', onMessage)
      resolve(message)
    }
    worker.on('message', onMessage)
    worker.postMessage({ id, req, rules })
  })
}

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.headers)
    if (req.url === '/hop') res.writeHead(302, { location: `http://evil.rebind.test:${port}/internal` }).end()
    else res.end('internal service')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
  ;({ worker, bundleDir } = startHttpClientWorker(new URL('../fixtures/capabilities/http-resolver-worker.mjs', import.meta.url), 'capsule-dns'))
})

beforeEach(() => {
  seen.length = 0
})

afterAll(async () => {
  await new Promise((resolve) => {
    worker.once('message', resolve)
    worker.postMessage({ id: 0, type: 'close' })
  })
  await worker.terminate()
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
  rmSync(bundleDir, { recursive: true, force: true })
})

describe('wildcard rules never reach internal addresses', () => {
  it.each([['*.rebind.test'], ['*']])('%s: a name that resolves to 127.0.0.1 is denied, and nothing is sent', async (rule) => {
    const { result, denials } = await call(`http://evil.rebind.test:${port}/`, [rule])
    expect(result).toMatchObject({ ok: false, code: 'ENETDENIED', denied: true })
    expect(denials).toBeGreaterThan(0)
    expect(result.records).toEqual([])
    expect(seen).toHaveLength(0)
  })

  it("'*' does not reach an internal IP literal either", async () => {
    const { result } = await call(`http://127.0.0.1:${port}/`, ['*'])
    expect(result).toMatchObject({ ok: false, code: 'ENETDENIED', denied: true })
    expect(seen).toHaveLength(0)
  })

  it('a redirect hop to a wildcard-matched internal name is denied', async () => {
    const { result } = await call(`http://127.0.0.1:${port}/hop`, [`127.0.0.1:${port}`, '*.rebind.test'])
    expect(result).toMatchObject({ ok: false, code: 'ENETDENIED', denied: true })
    expect(result.records).toHaveLength(1) // the first hop only
    expect(seen).toHaveLength(1)
  })
})

describe('rules that name the host reach it', () => {
  it('an exact name rule connects to the checked address, keeping the name as Host', async () => {
    const { result } = await call(`http://api.rebind.test:${port}/`, [`api.rebind.test:${port}`])
    if (!result.ok) throw new Error(result.message)
    expect(new TextDecoder().decode(result.response.body)).toBe('internal service')
    expect(seen[0]?.host).toBe(`api.rebind.test:${port}`)
  })

  it('an IP-literal rule reaches that address', async () => {
    const { result } = await call(`http://127.0.0.1:${port}/`, [`127.0.0.1:${port}`])
    expect(result.ok).toBe(true)
  })

  it('an unknown name fails like DNS would, without sending anything', async () => {
    const { result } = await call(`http://nowhere.invalid:${port}/`, ['*'])
    expect(result).toMatchObject({ ok: false, code: 'ENOTFOUND', denied: false })
    expect(seen).toHaveLength(0)
  })
})

describe('internal addresses', () => {
  it.each([
    ['127.0.0.1', true], ['10.1.2.3', true], ['172.16.0.1', true], ['192.168.1.1', true], ['169.254.169.254', true],
    ['0.0.0.0', true], ['100.64.0.1', true], ['::1', true], ['::', true], ['fd00::1', true], ['fe80::1', true],
    ['::ffff:127.0.0.1', true], ['::ffff:7f00:1', true], ['[::1]', true],
    ['93.184.216.34', false], ['8.8.8.8', false], ['2606:4700::1111', false], ['172.32.0.1', false],
  ])('%s internal: %s', (address, internal) => {
    expect(isInternalAddress(address)).toBe(internal)
  })
})
