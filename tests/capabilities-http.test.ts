// Synchronous HTTP client: called from a worker thread (as in a sandbox worker) while real
// node:http servers run on this test's main thread — redirects, denials, limits, records.

import { rmSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Worker } from 'node:worker_threads'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startHttpClientWorker } from './helpers/http-client-worker.ts'
import type { HttpLimits, HttpRequest, HttpResult } from '../src/runtime/capabilities/http.ts'

interface Seen { method: string, url: string, headers: IncomingMessage['headers'], body: string }

/** A real server on 127.0.0.1 that remembers every request it saw. */
async function startServer(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void) {
  const seen: Seen[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', chunk => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString()
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body })
      handler(req, res, body)
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return { server, seen, port: (server.address() as AddressInfo).port }
}

let a: Awaited<ReturnType<typeof startServer>>
let b: Awaited<ReturnType<typeof startServer>>
let closedPort: number
let worker: Worker
let bundleDir: string
let nextId = 0
let rulesA: string[]

function call(req: Partial<HttpRequest>, rules = rulesA, limits?: Partial<HttpLimits>) {
  const id = ++nextId
  const full: HttpRequest = { method: 'GET', url: '', headers: [], ...req }
  return new Promise<{ result: HttpResult, denials: number }>((resolve) => {
    const onMessage = (message: { id: number, result: HttpResult, denials: number }) => {
      if (message.id !== id) return
      worker.off('message', onMessage)
      resolve(message)
    }
    worker.on('message', onMessage)
    worker.postMessage({ id, req: full, rules, limits })
  })
}

const text = (body: Uint8Array) => new TextDecoder().decode(body)

beforeAll(async () => {
  b = await startServer((_req, res) => res.end('second server'))
  a = await startServer((req, res, body) => {
    const url = new URL(req.url ?? '/', 'http://x')
    switch (url.pathname) {
      case '/hello':
        res.setHeader('x-test', 'yes')
        return res.end('hello world')
      case '/echo':
        res.setHeader('content-type', 'application/json')
        return res.end(JSON.stringify({ method: req.method, contentType: req.headers['content-type'], json: JSON.parse(body || 'null') }))
      case '/to-b':
        res.writeHead(302, { location: `http://localhost:${b.port}/stolen` })
        return res.end()
      case '/to-b-allowed':
        res.writeHead(307, { location: `http://localhost:${b.port}/ok` })
        return res.end()
      case '/to-hello':
        res.writeHead(301, { location: '/hello' })
        return res.end('moved')
      case '/see-other':
        res.writeHead(303, { location: '/echo' })
        return res.end()
      case '/keep-method':
        res.writeHead(307, { location: '/echo' })
        return res.end()
      case '/loop':
        res.writeHead(302, { location: '/loop' })
        return res.end()
      case '/big':
        return res.end(Buffer.alloc(100_000, 97))
      case '/gzip':
        res.writeHead(200, { 'content-encoding': 'gzip' })
        return res.end(gzipSync('unzipped text'))
      case '/slow':
        return setTimeout(() => res.end('late'), 2_000)
      default:
        res.statusCode = 404
        return res.end('not found')
    }
  })
  rulesA = [`127.0.0.1:${a.port}`]
  const closed = await startServer(() => {})
  closedPort = closed.port
  await new Promise(resolve => closed.server.close(resolve))

  ;({ worker, bundleDir } = startHttpClientWorker(new URL('../fixtures/capabilities/http-caller-worker.mjs', import.meta.url), 'capsule-http'))
})

beforeEach(() => {
  a.seen.length = 0
  b.seen.length = 0
})

afterAll(async () => {
  await new Promise(resolve => {
    worker.once('message', resolve)
    worker.postMessage({ id: 0, type: 'close' })
  })
  await worker.terminate()
  for (const { server } of [a, b]) {
    server.closeAllConnections()
    await new Promise(resolve => server.close(resolve))
  }
  rmSync(bundleDir, { recursive: true, force: true })
})

describe('requests from a worker thread to servers on the main thread', () => {
  it('GET: status, headers, body and one record without headers or body', async () => {
    const { result } = await call({ url: `http://127.0.0.1:${a.port}/hello`, headers: [['Authorization', 'Bearer s3cret']] })
    if (!result.ok) throw new Error(result.message)
    expect(result.response.status).toBe(200)
    expect(result.response.statusText).toBe('OK')
    expect(result.response.url).toBe(`http://127.0.0.1:${a.port}/hello`)
    expect(text(result.response.body)).toBe('hello world')
    expect(result.response.headers).toContainEqual(['x-test', 'yes'])
    expect(result.records).toHaveLength(1)
    expect(Object.keys(result.records[0]!).sort()).toEqual(['duration_ms', 'method', 'status', 'url'])
    expect(result.records[0]).toMatchObject({ method: 'GET', url: `http://127.0.0.1:${a.port}/hello`, status: 200 })
    expect(result.records[0]!.duration_ms).toBeGreaterThanOrEqual(0)
    expect(JSON.stringify(result.records)).not.toContain('s3cret')
    expect(a.seen[0]!.headers.authorization).toBe('Bearer s3cret')
  })

  it('JSON POST: the server echoes method, content type and body', async () => {
    const payload = { hello: 'world', n: 42 }
    const { result } = await call({
      method: 'post',
      url: `http://127.0.0.1:${a.port}/echo`,
      headers: [['content-type', 'application/json'], ['x-api-key', 'k3y']],
      body: new TextEncoder().encode(JSON.stringify(payload)),
    })
    if (!result.ok) throw new Error(result.message)
    expect(JSON.parse(text(result.response.body))).toEqual({ method: 'POST', contentType: 'application/json', json: payload })
    expect(result.records).toEqual([expect.objectContaining({ method: 'POST', status: 200 })])
    const recorded = JSON.stringify(result.records)
    expect(recorded).not.toContain('k3y')
    expect(recorded).not.toContain('world')
  })

  it('a redirect to a host outside the rules is a denial, and that host sees nothing', async () => {
    const { result, denials } = await call({ url: `http://127.0.0.1:${a.port}/to-b` })
    expect(result).toMatchObject({ ok: false, code: 'ENETDENIED', denied: true })
    expect(result.records).toEqual([expect.objectContaining({ method: 'GET', status: 302 })])
    expect(b.seen).toHaveLength(0)
    expect(denials).toBeGreaterThanOrEqual(1)
  })

  it('a URL denied up front sends no packet and makes no record', async () => {
    const before = (await call({ url: `http://127.0.0.1:${a.port}/hello` })).denials
    const { result, denials } = await call({ url: `http://127.0.0.1:${b.port}/` })
    expect(result).toMatchObject({ ok: false, code: 'ENETDENIED', denied: true, records: [] })
    expect(!result.ok && result.message).toContain(`127.0.0.1:${b.port}`)
    expect(denials).toBe(before + 1)
    expect(b.seen).toHaveLength(0)
  })

  it('URLs with credentials and other schemes are refused before connecting', async () => {
    for (const url of [`http://127.0.0.1@localhost:${b.port}/`, `http://u:p@127.0.0.1:${a.port}/hello`, 'file:///etc/hostname']) {
      const { result } = await call({ url }, ['*'])
      expect(result).toMatchObject({ ok: false, code: 'ERR_INVALID_URL', denied: false, records: [] })
    }
    expect(a.seen).toHaveLength(0)
    expect(b.seen).toHaveLength(0)
  })

  it('follows allowed redirects, one record per hop', async () => {
    const { result } = await call({ url: `http://127.0.0.1:${a.port}/to-hello` })
    if (!result.ok) throw new Error(result.message)
    expect(text(result.response.body)).toBe('hello world')
    expect(result.response.url).toBe(`http://127.0.0.1:${a.port}/hello`)
    expect(result.records.map(record => record.status)).toEqual([301, 200])
  })

  it('303 turns POST into GET without body; 307 keeps method and body', async () => {
    const body = new TextEncoder().encode('{"a":1}')
    const headers: [string, string][] = [['content-type', 'application/json']]
    const seeOther = await call({ method: 'POST', url: `http://127.0.0.1:${a.port}/see-other`, headers, body })
    if (!seeOther.result.ok) throw new Error(seeOther.result.message)
    expect(JSON.parse(text(seeOther.result.response.body))).toEqual({ method: 'GET', json: null })
    const keep = await call({ method: 'POST', url: `http://127.0.0.1:${a.port}/keep-method`, headers, body })
    if (!keep.result.ok) throw new Error(keep.result.message)
    expect(JSON.parse(text(keep.result.response.body))).toEqual({ method: 'POST', contentType: 'application/json', json: { a: 1 } })
    expect(keep.result.records.map(record => record.method)).toEqual(['POST', 'POST'])
  })

  it('a cross-origin redirect drops credentials', async () => {
    const { result } = await call(
      { url: `http://127.0.0.1:${a.port}/to-b-allowed`, headers: [['authorization', 'Bearer s3cret'], ['cookie', 'c=1'], ['x-keep', '1']] },
      [...rulesA, `localhost:${b.port}`],
    )
    expect(result.ok && text(result.response.body)).toBe('second server')
    expect(b.seen).toHaveLength(1)
    expect(b.seen[0]!.headers.authorization).toBeUndefined()
    expect(b.seen[0]!.headers.cookie).toBeUndefined()
    expect(b.seen[0]!.headers['x-keep']).toBe('1')
  })

  it('stops after 10 redirects', async () => {
    const { result } = await call({ url: `http://127.0.0.1:${a.port}/loop` })
    expect(result).toMatchObject({ ok: false, code: 'ERR_TOO_MANY_REDIRECTS', denied: false })
    expect(result.records).toHaveLength(11)
  })
})

describe('limits and errors', () => {
  it('caps the response body', async () => {
    const { result } = await call({ url: `http://127.0.0.1:${a.port}/big` }, rulesA, { maxBodyBytes: 1000 })
    expect(result).toMatchObject({ ok: false, code: 'EFBIG', denied: false })
    const full = await call({ url: `http://127.0.0.1:${a.port}/big` })
    expect(full.result.ok && full.result.response.body.byteLength).toBe(100_000)
  })

  it('times out a slow request', async () => {
    const { result } = await call({ url: `http://127.0.0.1:${a.port}/slow` }, rulesA, { timeoutMs: 200 })
    expect(result).toMatchObject({ ok: false, code: 'ETIMEDOUT', denied: false })
    expect(result.records).toEqual([expect.objectContaining({ status: null })])
  })

  it('reports connection errors with Node codes', async () => {
    const { result } = await call({ url: `http://127.0.0.1:${closedPort}/` }, [`127.0.0.1:${closedPort}`])
    expect(result).toMatchObject({ ok: false, code: 'ECONNREFUSED', denied: false })
    expect(result.records).toEqual([expect.objectContaining({ status: null })])
  })

  it('decodes gzip bodies like fetch', async () => {
    const { result } = await call({ url: `http://127.0.0.1:${a.port}/gzip` })
    if (!result.ok) throw new Error(result.message)
    expect(text(result.response.body)).toBe('unzipped text')
    expect(result.response.headers.some(([name]) => name === 'content-encoding')).toBe(false)
  })

  it('rejects bad methods, bodies on GET and header injection without sending', async () => {
    const url = `http://127.0.0.1:${a.port}/hello`
    for (const req of [
      { method: 'CONNECT', url },
      { method: 'GE T', url },
      { method: 'GET', url, body: new Uint8Array([1]) },
      { url, headers: [['x-a', 'b\r\nx-injected: 1']] as [string, string][] },
    ]) {
      const { result } = await call(req)
      expect(result).toMatchObject({ ok: false, code: 'EINVAL', denied: false, records: [] })
    }
    expect(a.seen).toHaveLength(0)
  })

  it('does not let the guest choose the Host header', async () => {
    await call({ url: `http://127.0.0.1:${a.port}/hello`, headers: [['host', 'evil.example']] })
    expect(a.seen[0]!.headers.host).toBe(`127.0.0.1:${a.port}`)
  })
})
