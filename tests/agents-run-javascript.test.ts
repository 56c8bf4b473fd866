// runJavaScript(): code strings in fresh sandboxes of the prebuilt snippet module (dist/snippet),
// under per-call limits the host validates and enforces.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runJavaScript } from 'unplugin-capsule/runtime'
import { startServerProcess, type ServerProcess } from './helpers/http-server-process.ts'

let server: ServerProcess
beforeAll(async () => {
  server = await startServerProcess()
})
afterAll(() => server.stop())

describe('runJavaScript', () => {
  it('answers the completion value of the code', async () => {
    const envelope = await runJavaScript('[1,2,3].map(x => x * 2)')
    expect(envelope).toMatchObject({ success: true, result: [2, 4, 6], error: null })
    expect(envelope.execution.task_name).toBe('snippet')
    expect(envelope.execution.fuel_consumed).toBeGreaterThan(0)
  })

  it('awaits a promise, allows top-level await and records console output', async () => {
    const envelope = await runJavaScript('console.log("working"); const n = await Promise.resolve(20)\nn + 1')
    expect(envelope).toMatchObject({ success: true, result: 21 })
    expect(envelope.execution.logs).toEqual([{ level: 'log', message: 'working' }])
  })

  it('stops an endless loop with timeout or fuel_exhausted', async () => {
    const envelope = await runJavaScript('while(true){}', { timeout: '2s' })
    expect(envelope.success).toBe(false)
    expect(['timeout', 'fuel_exhausted']).toContain(envelope.error?.error_type)
  })

  it('refuses fetch to a host that is not allowed, and reaches it when allowed', async () => {
    const url = `http://127.0.0.1:${server.port}/ping`
    const code = `const response = await fetch(${JSON.stringify(url)})\nawait response.json()`
    const denied = await runJavaScript(code)
    expect(denied).toMatchObject({ success: false, error: { error_type: 'permission_denied' } })
    const allowed = await runJavaScript(code, { allowedHosts: ['127.0.0.1'] })
    expect(allowed).toMatchObject({ success: true, result: { pong: '/ping' } })
    expect(allowed.execution.host_requests).toEqual([expect.objectContaining({ method: 'GET', url, status: 200 })])
  })

  it('answers a syntax error as task_error with SyntaxError and where it is in the snippet', async () => {
    const envelope = await runJavaScript('const a = 1\nconst b = ;')
    expect(envelope).toMatchObject({ success: false, error: { error_type: 'task_error' } })
    expect(envelope.error?.message).toMatch(/^SyntaxError: .*\(line 2, column 11 of the snippet\)$/)
  })

  it('keeps the error name of what the code throws', async () => {
    const envelope = await runJavaScript('null.x')
    expect(envelope.error).toEqual({ error_type: 'task_error', message: expect.stringMatching(/^TypeError: /) })
  })

  it('gives the code policed fs and path globals: no files unless granted', async () => {
    const root = mkdtempSync(join(tmpdir(), 'capsule-test-snippet-'))
    mkdirSync(join(root, 'data'))
    writeFileSync(join(root, 'data', 'in.txt'), 'granted')
    const code = 'fs.readFileSync(path.join("data", "in.txt"), "utf8")'
    expect(await runJavaScript(code, { cwd: root })).toMatchObject({ error: { error_type: 'permission_denied' } })
    expect(await runJavaScript(code, { cwd: root, allowedFiles: [{ path: 'data', mode: 'ro' }] })).toMatchObject({ success: true, result: 'granted' })
  })

  it('shows only the env variables the call allows', async () => {
    process.env.CAPSULE_SNIPPET_TEST = 'visible'
    expect(await runJavaScript('process.env.CAPSULE_SNIPPET_TEST ?? "hidden"')).toMatchObject({ result: 'hidden' })
    expect(await runJavaScript('process.env.CAPSULE_SNIPPET_TEST', { envVariables: ['CAPSULE_SNIPPET_TEST'] })).toMatchObject({ result: 'visible' })
  })

  it('enforces the memory cap of the call', async () => {
    const envelope = await runJavaScript('const chunks = []; for (;;) chunks.push(new Array(1 << 16).fill(chunks.length))', { ram: '32MB', compute: 'HIGH', timeout: '60s' })
    expect(envelope.error?.error_type).toBe('memory_exceeded')
    expect(envelope.execution.ram_used).toBeLessThanOrEqual(32 * 1024 * 1024)
  })

  it('rejects invalid limits with the accepted forms, before running anything', async () => {
    // @ts-expect-error a bad value on purpose: the run-time check is what is tested
    await expect(runJavaScript('1', { ram: 'lots' })).rejects.toThrow(/runJavaScript: option "ram".*accepted/)
    await expect(runJavaScript('1', { maxRetries: 2 } as never)).rejects.toThrow(/unknown option "maxRetries"; accepted: compute, ram, timeout/)
  })
})
