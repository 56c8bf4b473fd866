// Running prebuilt artifacts: `unplugin-capsule/runtime` + a manifest loads no compiler module,
// manifests are validated, every artifact a run loads is checked against its sha256, paths resolve
// from the manifest's folder (it can be moved), and proxies answer envelopes even when the build
// output is missing.
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRuntime, createTaskProxy, loadManifest, type Manifest } from 'unplugin-capsule/runtime'
import { REPO_ROOT, runCli } from './helpers/cli.ts'
import { runNode } from '../fixtures/plugin/helpers.ts'

const GREET = 'fixtures/plugin/app/tasks/greet.capsule.ts'
const LOADED = join(REPO_ROOT, 'fixtures/plugin/loaded-modules')
let work: string
let out: string
const runtime = createRuntime({ poolSize: 1 })

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'capsule-manifest-'))
  out = join(work, 'out')
  const { code, stderr } = await runCli(['build', GREET, '--out-dir', out])
  expect(stderr).toBe('')
  expect(code).toBe(0)
})

afterAll(async () => {
  await runtime.close()
  rmSync(work, { recursive: true, force: true })
})

const manifestPath = (dir: string) => join(dir, 'capsule.manifest.json')
const readJson = (dir: string) => JSON.parse(readFileSync(manifestPath(dir), 'utf8')) as Manifest

describe('the runtime alone', () => {
  it('runs a task from a manifest without loading the compiler or any bundler', async () => {
    const log = join(work, 'loaded.log')
    writeFileSync(log, '')
    const { code, stdout, stderr } = await runNode(join(LOADED, 'run-from-manifest.mjs'), [manifestPath(out)], {
      cwd: work,
      env: { CAPSULE_LOADED_LOG: log, NODE_OPTIONS: `--import=${join(LOADED, 'register.mjs')}` },
    })
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({ success: true, result: 'Hello, prod!' })
    const urls = readFileSync(log, 'utf8').split('\n').filter(Boolean)
    // The hooks saw the runtime and its worker thread...
    expect(urls.some((url) => url.endsWith('/dist/runtime.mjs'))).toBe(true)
    expect(urls.some((url) => url.endsWith('/dist/runtime-worker.mjs'))).toBe(true)
    // ...and nothing of the toolchain.
    const compiler = urls.filter((url) =>
      /\/node_modules\/(@bytecodealliance\/(componentize-js|jco|wizer)|binaryen|oxc-parser|esbuild|rolldown|rollup|vite|webpack|magic-string|unplugin)\//.test(url)
      || /\/dist\/(compile|componentize-worker|discover-tasks|plugin)[-.]/.test(url))
    expect(compiler).toEqual([])
  })

  it('runs from a moved folder: artifact paths are relative to the manifest', async () => {
    const moved = join(work, 'moved')
    cpSync(out, join(work, 'copy'), { recursive: true })
    renameSync(join(work, 'copy'), moved)
    const envelope = await runtime.run({ manifest: manifestPath(moved), task: `${GREET}#shout`, args: ['moved'] })
    expect(envelope).toMatchObject({ success: true, result: 'MOVED' })
  })

  it('refuses the next run once an artifact changed after runs that passed, and runs again once it is back', async () => {
    const changed = join(work, 'changed-later')
    cpSync(out, changed, { recursive: true })
    const { modules } = readJson(changed)
    const data = modules[0]!.artifact
    const path = join(changed, data.dir, data.files.find((entry) => entry.path === 'task.data')!.path)
    const original = readFileSync(path)
    for (let i = 0; i < 3; i++) {
      expect(await runtime.run({ manifest: manifestPath(changed), task: 'greet', args: ['x'] })).toMatchObject({ success: true })
    }
    const planted = Buffer.from(original)
    planted[planted.length - 1]! ^= 0xff
    writeFileSync(path, planted)
    await expect(runtime.run({ manifest: manifestPath(changed), task: 'greet', args: ['x'] }))
      .rejects.toMatchObject({ code: 'INVALID_MANIFEST', message: expect.stringContaining('task.data does not match its sha256') })
    writeFileSync(path, original)
    expect(await runtime.run({ manifest: manifestPath(changed), task: 'greet', args: ['x'] })).toMatchObject({ success: true })
  })

  it('rejects a run whose artifact changed, naming the file; others still run', async () => {
    const tampered = join(work, 'tampered')
    cpSync(out, tampered, { recursive: true })
    const { engine } = readJson(tampered)
    const file = engine.files.find((entry) => entry.path.endsWith('.wasm'))!
    const path = join(tampered, engine.dir, file.path)
    const bytes = readFileSync(path)
    bytes[bytes.length - 1]! ^= 0xff
    writeFileSync(path, bytes)
    await expect(runtime.run({ manifest: manifestPath(tampered), task: 'greet', args: ['x'] }))
      .rejects.toMatchObject({ code: 'INVALID_MANIFEST', message: expect.stringContaining(`artifact ${engine.dir}/${file.path} does not match its sha256`) })
    rmSync(path)
    await expect(runtime.run({ manifest: manifestPath(tampered), task: 'greet', args: ['x'] }))
      .rejects.toMatchObject({ code: 'INVALID_MANIFEST', message: expect.stringContaining(`artifact ${engine.dir}/${file.path} listed in`) })
    expect(await runtime.run({ manifest: manifestPath(out), task: 'greet', args: ['x'] })).toMatchObject({ success: true })
  })

  it('picks tasks by module#name or by a unique name, and names the choices otherwise', async () => {
    await expect(runtime.run({ manifest: manifestPath(out), task: 'nope' })).rejects.toMatchObject({ code: 'TASK_NOT_FOUND' })
    await expect(runtime.run({ manifest: manifestPath(out), task: 'other.capsule.ts#greet' }))
      .rejects.toThrow(`no task module "other.capsule.ts" in ${manifestPath(out)} (tasks: ${GREET}#greet, ${GREET}#shout)`)
    expect(await runtime.run({ manifest: manifestPath(out), task: `./${GREET}#greet`, args: ['y'] })).toMatchObject({ result: 'Hello, y!' })
  })
})

describe('loadManifest', () => {
  it('parses and validates a manifest: toolchain, engine, modules with resolved policies', () => {
    const manifest = loadManifest(manifestPath(out))
    expect(manifest.version).toBe(1)
    expect(manifest.engine.key).toMatch(/^[0-9a-f]+$/)
    expect(manifest.modules[0]!.tasks[0]).toEqual({
      name: 'greet', export: 'greet',
      policy: { fuel: 2_000_000_000, ram: null, timeout: 5_000, maxRetries: 1, files: [], hosts: [], env: ['GREETING'] },
      // derived from `(name: string)`: the tool input capsule mcp offers
      signature: { inputSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] }, args: { from: 'params', names: ['name'] } },
    })
  })

  it.each<[string, (manifest: Record<string, any>) => void, RegExp]>([
    ['an unknown version', (m) => { m.version = 2 }, /version is 2; this runtime reads version 1/],
    ['a file outside its folder', (m) => { m.modules[0].artifact.files[0].path = '../x.wasm' }, /modules\[0\]\.artifact\.files\[0\]\.path must be a plain file name/],
    ['a bad sha256', (m) => { m.engine.files[0].sha256 = 'abc' }, /engine\.files\[0\]\.sha256 must be 64 lowercase hex digits/],
    ['an unresolved policy', (m) => { m.modules[0].tasks[0].policy.timeout = '5s' }, /modules\[0\]\.tasks\[0\]\.policy\.timeout must be an integer/],
    ['a grant outside the root', (m) => { m.modules[0].tasks[0].policy.files = [{ path: '../etc', mode: 'rw' }] }, /policy\.files\[0\]\.path must be relative to the project root/],
    ['a duplicate task', (m) => { m.modules[0].tasks[1].name = 'greet' }, /tasks\[1\]\.name "greet" is listed twice/],
  ])('rejects %s', (_label, change, reason) => {
    const dir = mkdtempSync(join(work, 'invalid-'))
    const manifest = readJson(out) as unknown as Record<string, any>
    change(manifest)
    writeFileSync(manifestPath(dir), JSON.stringify(manifest))
    expect(() => loadManifest(manifestPath(dir))).toThrow(reason)
  })
})

describe('createTaskProxy (what generated proxies call)', () => {
  it('finds the manifest from its own location upward', async () => {
    const call = createTaskProxy({ module: GREET, from: join(out, 'nested', 'chunk.mjs') })
    expect(await call('shout')('up')).toMatchObject({ success: true, result: 'UP' })
  })

  it('answers internal_error when the build output is missing, never throwing', async () => {
    const call = createTaskProxy({ module: GREET, from: join(work, 'nowhere', 'chunk.mjs') })
    expect(await call('greet')('x')).toMatchObject({
      success: false, result: null,
      error: { error_type: 'internal_error', message: expect.stringContaining(`no capsule.manifest.json listing ${GREET}`) },
      execution: { task_name: 'greet' },
    })
  })
})
