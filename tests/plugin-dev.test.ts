// The plugin under `vite dev` (serve: no emitFile): proxies run artifacts from the cache, and
// editing the task module — or a file it imports — changes the result of the next call. Runs on a
// copy of the fixture app (every edit is a new compile: ~10 s each).
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ViteDevServer } from 'vite'
import { APP, CACHE_DIR, deploymentDir } from '../fixtures/plugin/helpers.ts'

let work: string
let root: string
let server: ViteDevServer

beforeAll(async () => {
  work = deploymentDir('capsule-plugin-dev')
  root = join(work, 'app')
  cpSync(APP, root, { recursive: true })
  const [{ createServer }, { default: capsule }] = await Promise.all([import('vite'), import('unplugin-capsule/vite')])
  server = await createServer({
    root, configFile: false, logLevel: 'silent', appType: 'custom',
    plugins: [capsule({ cacheDir: CACHE_DIR })],
    server: { middlewareMode: true, ws: false },
  })
})

afterAll(async () => {
  await server?.close()
  rmSync(work, { recursive: true, force: true })
})

async function greet(name: string): Promise<unknown> {
  const module = await server.ssrLoadModule(join(root, 'tasks/greet.capsule.ts'))
  const envelope = await (module.greet as (name: string) => Promise<{ success: boolean; result: unknown }>)(name)
  expect(envelope.success).toBe(true)
  return envelope.result
}

/** Calls until the result is `expected` (the watcher reports the edit asynchronously). */
async function eventually(expected: string, timeoutMs = 90_000): Promise<void> {
  const started = Date.now()
  let last: unknown
  while (Date.now() - started < timeoutMs) {
    last = await greet('dev')
    if (last === expected) return
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  expect(last).toBe(expected)
}

function edit(file: string, from: string, to: string): void {
  const path = join(root, file)
  const text = readFileSync(path, 'utf8')
  expect(text).toContain(from)
  writeFileSync(path, text.replace(from, to))
}

describe('vite dev (serve)', () => {
  it('runs the task through a proxy that points into the cache', async () => {
    expect(await greet('dev')).toBe('Hello, dev!')
    const proxy = await server.transformRequest(join(root, 'tasks/greet.capsule.ts'), { ssr: true })
    expect(proxy?.code).toContain('capsule.manifest.json')
    expect(proxy?.code).not.toContain('punctuate')
  })

  it('recompiles when the task module is edited: the next call runs the new code', async () => {
    edit('tasks/greet.capsule.ts', "process.env.GREETING ?? 'Hello'", "'Bonjour'")
    await eventually('Bonjour, dev!')
  })

  it('recompiles when a file the task module imports is edited', async () => {
    edit('tasks/punctuate.ts', '`${text}!`', '`${text}?!`')
    await eventually('Bonjour, dev?!')
  })
})
