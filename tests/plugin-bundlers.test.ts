// The plugin in real builds: the fixture app built with Vite 8, Rollup 4, Rolldown, webpack 5, Rspack and
// esbuild; each output runs with plain `node` in a fresh process from another directory, ships a
// capsule.manifest.json (tasks, exports, resolved policies, sha256 of every artifact), and still
// runs after the output folder is moved. Bad task options fail each build with file:line:column.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { APP, BAD, CACHE_DIR, bundlers, deploymentDir, positionOf, runNode, sha256, type BundlerName } from '../fixtures/plugin/helpers.ts'

const names = Object.keys(bundlers) as BundlerName[]
let work: string

beforeAll(() => {
  work = deploymentDir('capsule-plugin-builds')
  mkdirSync(join(work, 'elsewhere'))
  mkdirSync(join(work, 'moved'))
})

afterAll(() => {
  rmSync(work, { recursive: true, force: true })
})

interface AppOutput {
  greet: { success: boolean; result: unknown; error: unknown; execution: { task_name: string; logs: unknown[] } }
  shout: { success: boolean; result: unknown; execution: { task_name: string } }
}

async function runApp(entry: string): Promise<AppOutput> {
  // From an unrelated directory, with a variable the greet task may read.
  const { code, stdout, stderr } = await runNode(entry, ['Ada'], { cwd: join(work, 'elsewhere'), env: { GREETING: 'Hi' } })
  expect(stderr).toBe('')
  expect(code).toBe(0)
  return JSON.parse(stdout.trim()) as AppOutput
}

function expectEnvelopes(output: AppOutput): void {
  expect(output.greet).toMatchObject({ success: true, result: 'Hi, Ada!', error: null })
  expect(output.greet.execution).toMatchObject({ task_name: 'greet', logs: [{ level: 'log', message: 'greeting Ada' }] })
  expect(output.shout).toMatchObject({ success: true, result: 'QUIET PLEASE', execution: { task_name: 'shout' } })
}

function expectManifest(outDir: string): void {
  const manifest = JSON.parse(readFileSync(join(outDir, 'capsule.manifest.json'), 'utf8'))
  expect(manifest.version).toBe(1)
  expect(manifest.toolchain).toEqual({ capsule: expect.any(String), componentizeJs: expect.any(String), jco: expect.any(String), world: expect.stringMatching(/^[0-9a-f]{64}$/) })
  expect(manifest.modules).toHaveLength(1)
  const [module] = manifest.modules
  expect(module.source).toBe('tasks/greet.capsule.ts')
  expect(module.tasks).toEqual([
    { name: 'greet', export: 'greet', policy: { fuel: 2_000_000_000, ram: null, timeout: 5_000, maxRetries: 1, files: [], hosts: [], env: ['GREETING'] }, signature: { inputSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] }, args: { from: 'params', names: ['name'] } } },
    { name: 'shout', export: 'default', policy: { fuel: 100_000_000, ram: null, timeout: null, maxRetries: 0, files: [], hosts: ['api.example.com'], env: [] }, signature: { inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] }, args: { from: 'params', names: ['text'] } } },
  ])
  // Every artifact the runtime loads is in the output, with its sha256 and size.
  for (const set of [manifest.engine, module.artifact]) {
    expect(set.dir).toMatch(/^capsule\//)
    expect(set.files.length).toBeGreaterThan(0)
    for (const file of set.files) {
      const path = join(outDir, set.dir, file.path)
      expect(existsSync(path), path).toBe(true)
      expect(sha256(path)).toBe(file.sha256)
      expect(readFileSync(path).length).toBe(file.bytes)
    }
  }
}

describe.each(names)('%s build of the fixture app', (name) => {
  const bundler = bundlers[name]

  it('runs with plain node, ships a manifest, and runs again after the output folder is moved', async () => {
    const outDir = join(work, name)
    await bundler.build(join(APP, 'main.ts'), APP, outDir)
    expectManifest(outDir)
    // The host bundle holds a proxy, never the task's code or the compiler.
    const bundle = readFileSync(join(outDir, bundler.output), 'utf8')
    expect(bundle).toContain('unplugin-capsule/runtime')
    expect(bundle).not.toContain('punctuate')
    expect(bundle).not.toMatch(/componentize|oxc-parser/)
    expectEnvelopes(await runApp(join(outDir, bundler.output)))

    const moved = join(work, 'moved', name)
    renameSync(outDir, moved)
    expectEnvelopes(await runApp(join(moved, bundler.output)))
  })

  it.each([
    ['variable-timeout', 'someVariable }', /option "timeout" must be a literal value \(found the identifier `someVariable`\); accepted: .*'30s'/],
    ['lots-of-ram', "'lots'", /option "ram": 'lots' is not a valid size; accepted: /],
  ])('fails on %s with file:line:column, the option and the accepted forms', async (fixture, needle, reason) => {
    const failure = await bundler.build(join(BAD, `${fixture}.ts`), BAD, join(work, `${name}-${fixture}`)).then(
      () => new Error('the build succeeded'),
      (error: unknown) => error as Error,
    )
    const text = `${failure.message}\n${JSON.stringify((failure as { errors?: unknown }).errors ?? '')}`
    expect(text).toContain(positionOf(join(BAD, `${fixture}.capsule.ts`), needle))
    expect(text).toMatch(reason)
    expect(existsSync(join(work, `${name}-${fixture}`, 'capsule.manifest.json'))).toBe(false)
  })
})

describe('plugin options and misuse', () => {
  it('emits the manifest under a custom name (and its artifacts beside it); the proxy still finds it', async () => {
    const outDir = join(work, 'custom-name')
    const [{ build }, { default: capsule }] = await Promise.all([import('rolldown'), import('unplugin-capsule/rolldown')])
    await build({
      input: join(APP, 'main.ts'), platform: 'node', logLevel: 'silent',
      plugins: [capsule({ root: APP, cacheDir: CACHE_DIR, manifest: 'meta/tasks.json' })],
      output: { dir: outDir, format: 'esm', entryFileNames: '[name].mjs' },
    })
    expect(existsSync(join(outDir, 'capsule.manifest.json'))).toBe(false)
    const manifest = JSON.parse(readFileSync(join(outDir, 'meta/tasks.json'), 'utf8'))
    expect(existsSync(join(outDir, 'meta', manifest.modules[0].artifact.dir, 'task.data'))).toBe(true)
    expectEnvelopes(await runApp(join(outDir, 'main.mjs')))
  })

  it('refuses a task module in a Vite browser build', async () => {
    const [{ build }, { default: capsule }] = await Promise.all([import('vite'), import('unplugin-capsule/vite')])
    await expect(build({
      root: APP, configFile: false, logLevel: 'silent', plugins: [capsule({ cacheDir: CACHE_DIR })],
      build: { outDir: join(work, 'browser'), rolldownOptions: { input: join(APP, 'main.ts') } },
    })).rejects.toThrow(/tasks\/greet\.capsule\.ts is a task module imported in a browser build/)
  })

  it('rejects unknown plugin options and bad defaults before compiling', async () => {
    const [{ build }, { default: capsule }] = await Promise.all([import('rolldown'), import('unplugin-capsule/rolldown')])
    const attempt = (options: object) => build({ input: join(APP, 'main.ts'), platform: 'node', logLevel: 'silent', plugins: [capsule(options)], write: false })
    await expect(attempt({ root: APP, defautls: {} })).rejects.toThrow(/unknown option "defautls"/)
    await expect(attempt({ root: APP, defaults: { timeout: 'soon' } })).rejects.toThrow(/option "timeout" \(in defaults\): 'soon'/)
  })
})
