// Capabilities end to end, on a real compiled module: real temp dirs, a real HTTP server on
// 127.0.0.1 in this very process, real environment variables, real sub-tasks in other workers.
import { existsSync, readFileSync, symlinkSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRuntime } from 'unplugin-capsule/runtime'
import { REPO_ROOT, runCli } from './helpers/cli.ts'
import { makeProject } from './helpers/project.ts'

const SECRET = 'TOP-SECRET-0xC0FFEE'

const root = makeProject('capabilities', {
  'data/ro/in.txt': 'read-only input',
  'data/rw/note.txt': 'a note',
  'secret.txt': SECRET,
  '.env': 'CAPSULE_TEST_DOTENV=from-dotenv\nCAPSULE_TEST_A=dotenv-loses\n',
}, { 'capabilities.capsule.ts': join(REPO_ROOT, 'fixtures/sandbox/capabilities.capsule.ts') })
symlinkSync(join(root, 'secret.txt'), join(root, 'data/rw/escape.txt'))

const runtime = createRuntime({ cwd: root, cacheDir: join(REPO_ROOT, 'node_modules/.cache/capsule'), poolSize: 2 })
const call = (task: string, ...args: unknown[]) => runtime.run({ file: 'capabilities.capsule.ts', task, args })

interface TestServer { server: Server; url: string; requests: { method: string; url: string; headers: Record<string, unknown>; body: string }[] }

function listen(handler: (body: string, req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void): Promise<TestServer> {
  return new Promise((resolve) => {
    const requests: TestServer['requests'] = []
    const server = createServer((req, res) => {
      let body = ''
      req.on('data', (chunk: Buffer) => (body += chunk.toString()))
      req.on('end', () => {
        requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body })
        handler(body, req, res)
      })
    })
    server.listen(0, '127.0.0.1', () => {
      resolve({ server, requests, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })
    })
  })
}

let api: TestServer
let other: TestServer

beforeAll(async () => {
  other = await listen((_body, _req, res) => res.end('you should never see this'))
  const otherPort = new URL(other.url).port
  api = await listen((body, req, res) => {
    if (req.url === '/redirect') {
      res.writeHead(302, { location: `http://localhost:${otherPort}/stolen` }).end()
    } else if (req.method === 'POST') {
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ echoed: JSON.parse(body) }))
    } else {
      res.end('hello from 127.0.0.1')
    }
  })
})

afterAll(async () => {
  await runtime.close()
  api.server.close()
  other.server.close()
})

describe('files', () => {
  it('reads in a ro dir, and lists it', async () => {
    expect(await call('read', 'data/ro/in.txt')).toMatchObject({ success: true, result: 'read-only input' })
    expect(await call('read', './data/ro/in.txt')).toMatchObject({ success: true, result: 'read-only input' })
    expect((await call('list', 'data')).error?.error_type).toBe('permission_denied')
    expect(await call('list', 'data/ro')).toMatchObject({ result: ['in.txt:file'] })
  })

  it('denies a write in a ro dir and leaves the host file unchanged', async () => {
    const envelope = await call('write', 'data/ro/in.txt', 'overwritten')
    expect(envelope.error?.error_type).toBe('permission_denied')
    expect(readFileSync(join(root, 'data/ro/in.txt'), 'utf8')).toBe('read-only input')
  })

  it('lands a write in a rw dir on the host', async () => {
    expect(await call('write', 'data/rw/out.txt', 'from the sandbox')).toMatchObject({ success: true })
    expect(readFileSync(join(root, 'data/rw/out.txt'), 'utf8')).toBe('from the sandbox')
  })

  it.each(['../secret.txt', 'secret.txt', '/etc/hostname', 'data/rw/escape.txt', 'data/rw/../../secret.txt'])('denies %s and never leaks the secret', async (path) => {
    const envelope = await call('read', path)
    expect(envelope.success).toBe(false)
    expect(envelope.error?.error_type).toBe('permission_denied')
    expect(JSON.stringify(envelope)).not.toContain(SECRET)
    const caught = await call('tryRead', path)
    expect(caught.result).toMatchObject({ code: 'EACCES', name: 'PermissionDenied' })
    expect(JSON.stringify(caught)).not.toContain(SECRET)
  })

  it('a missing file in a granted dir is ENOENT, not a denial', async () => {
    const envelope = await call('tryRead', 'data/rw/nope.txt')
    expect(envelope.result).toMatchObject({ code: 'ENOENT' })
  })

  it.each([['files-absolute.capsule.ts', '/etc'], ['files-parent.capsule.ts', '../']])('rejects allowedFiles in %s at build time (exit 2)', async (fixture, path) => {
    const { code, stderr } = await runCli(['run', `fixtures/bad/${fixture}`])
    expect(code).toBe(2)
    expect(stderr.trim().split('\n')).toHaveLength(1)
    expect(stderr).toContain('allowedFiles')
    expect(stderr).toContain(`'${path}'`)
  })

  it('adds a directory with a mount alias', async () => {
    const outside = makeProject('capabilities-mount', { 'x.txt': 'mounted!' })
    const viaAlias = await runtime.run({ file: 'capabilities.capsule.ts', task: 'read', args: ['extra/x.txt'], mounts: [`${outside}::extra:ro`] })
    expect(viaAlias).toMatchObject({ success: true, result: 'mounted!' })
    const written = await runtime.run({ file: 'capabilities.capsule.ts', task: 'write', args: ['extra/y.txt', 'no'], mounts: [`${outside}::extra:ro`] })
    expect(written.error?.error_type).toBe('permission_denied')
    expect(existsSync(join(outside, 'y.txt'))).toBe(false)
  })
})

describe('network', () => {
  it('GETs and POSTs JSON to an allowed host, recording each request without headers', async () => {
    const got = await call('get', `${api.url}/hello`)
    expect(got).toMatchObject({ success: true, result: { status: 200, body: 'hello from 127.0.0.1' } })
    expect(got.execution.host_requests).toEqual([{ method: 'GET', url: `${api.url}/hello`, status: 200, duration_ms: expect.any(Number) }])
    const posted = await call('post', `${api.url}/items`, { id: 7 })
    expect(posted).toMatchObject({ success: true, result: { status: 201, json: { echoed: { id: 7 } } } })
    expect(posted.execution.host_requests).toMatchObject([{ method: 'POST', status: 201 }])
    expect(JSON.stringify(posted)).not.toContain('s3cret')
    expect(api.requests.at(-1)).toMatchObject({ method: 'POST', body: '{"id":7}' })
  })

  it('denies every host when allowedHosts is empty: no packet leaves', async () => {
    const before = api.requests.length
    const envelope = await call('offline', `${api.url}/`)
    expect(envelope.error?.error_type).toBe('permission_denied')
    expect(envelope.execution.host_requests).toEqual([])
    expect(api.requests.length).toBe(before)
  })

  it('checks the real host, not the userinfo', async () => {
    const envelope = await call('get', 'http://127.0.0.1@other.invalid/')
    expect(envelope.error?.error_type).toBe('permission_denied')
  })

  it('re-checks every redirect hop: a redirect to localhost is denied and never sent', async () => {
    const envelope = await call('get', `${api.url}/redirect`)
    expect(envelope.error?.error_type).toBe('permission_denied')
    expect(other.requests).toHaveLength(0)
    expect(envelope.execution.host_requests).toMatchObject([{ method: 'GET', url: `${api.url}/redirect`, status: 302 }])
  })

  it('matches *.example.invalid against exactly one label', async () => {
    const one = await call('wildcard', 'http://a.example.invalid/')
    expect(one.result).not.toMatchObject({ name: 'PermissionDenied' })
    expect(one.result).toMatchObject({ code: expect.stringMatching(/^E(?!ACCES|NETDENIED)/) })
    expect((await call('wildcard', 'http://example.invalid/')).result).toMatchObject({ name: 'PermissionDenied' })
    expect((await call('wildcard', 'http://a.b.example.invalid/')).result).toMatchObject({ name: 'PermissionDenied' })
  })
})

describe('environment', () => {
  it('shows only the granted names: the real env wins, then .env', async () => {
    process.env.CAPSULE_TEST_A = 'from-real-env'
    process.env.CAPSULE_TEST_B = 'must-not-leak'
    try {
      const envelope = await call('env')
      expect(envelope.result).toEqual({ a: 'from-real-env', dotenv: 'from-dotenv', keys: ['CAPSULE_TEST_A', 'CAPSULE_TEST_DOTENV'] })
      expect(JSON.stringify(envelope)).not.toContain('must-not-leak')
    } finally {
      delete process.env.CAPSULE_TEST_A
      delete process.env.CAPSULE_TEST_B
    }
  })
})

describe('sub-tasks', () => {
  it('never get hosts, files or env their caller lacks', async () => {
    process.env.CAPSULE_TEST_A = 'caller-lacks-this'
    try {
      const envelope = await call('humble', `${api.url}/`)
      expect(envelope.success).toBe(true)
      const sub = envelope.result as { success: boolean; result: Record<string, any> }
      expect(sub.success).toBe(true)
      expect(sub.result.env).toBeNull()
      expect(sub.result.fetch).toMatchObject({ name: 'PermissionDenied' })
      expect(sub.result.read).toMatchObject({ code: 'EACCES' })
      expect(JSON.stringify(envelope)).not.toContain('caller-lacks-this')
    } finally {
      delete process.env.CAPSULE_TEST_A
    }
  })

  it('a stuck sub-task times out on its own and its caller still returns', async () => {
    const envelope = await call('callsStuck')
    expect(envelope.success).toBe(true)
    const result = envelope.result as { returned: boolean; sub: { success: boolean; error: { error_type: string } } }
    expect(result.returned).toBe(true)
    expect(result.sub.success).toBe(false)
    expect(result.sub.error.error_type).toBe('timeout') // HIGH compute: the wall clock stops it, not fuel
  })

  it('unbounded recursion ends in an error envelope and the host stays up', async () => {
    const envelope = await call('recurse', 1)
    expect(envelope.success).toBe(true)
    // the top-level call (depth 1 here) plus 8 nested sub-tasks; the 9th nesting is refused
    expect(envelope.result).toMatchObject({ deepest: 9, error: { error_type: 'permission_denied' } })
    expect(await call('read', 'data/ro/in.txt')).toMatchObject({ success: true })
  })

  it('an unknown task name is an error, never a fallback', async () => {
    const envelope = await call('callsUnknown')
    expect(envelope.result).toMatchObject({ success: false, error: { error_type: 'invalid_input' } })
  })
})
