// The compile cache holds code the host runs (the engine's glue module is imported by every
// sandbox worker): issue #10 item 7. A task may not be granted it or node_modules (build time,
// file:line), and a cached artifact changed after it was built is refused, never loaded.
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createRuntime } from 'unplugin-capsule/runtime'
import { REPO_ROOT, runCli } from './helpers/cli.ts'
import { makeProject } from './helpers/project.ts'
import { copyCacheDir } from './helpers/cache-copy.ts'

const REPO_CACHE = join(REPO_ROOT, 'node_modules/.cache/capsule')
const fixture = (name: string) => join(REPO_ROOT, 'fixtures/security/build', `${name}.capsule.ts`)
const tmps: string[] = []

afterAll(() => {
  for (const dir of tmps) rmSync(dir, { recursive: true, force: true })
})

describe('grants that reach the toolchain are refused at build time', () => {
  it("'.' in a project with node_modules fails the build at file:line", async () => {
    const root = makeProject('grant-root', { 'node_modules/.keep': '', 'capsule.config.json': JSON.stringify({ cacheDir: REPO_CACHE }) },
      { 'whole-project.capsule.ts': fixture('whole-project') })
    tmps.push(root)
    const run = await runCli(['run', 'whole-project.capsule.ts', '--json'], { cwd: root })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('whole-project.capsule.ts:4:')
    expect(run.stderr).toContain("'.' would give the task access to node_modules")
  })

  it('a grant on the compile cache fails the build at file:line', async () => {
    const root = makeProject('grant-cache', { 'build-cache/.keep': '', 'capsule.config.json': JSON.stringify({ cacheDir: 'build-cache' }) },
      { 'cache-grant.capsule.ts': fixture('cache-grant') })
    tmps.push(root)
    const run = await runCli(['run', 'cache-grant.capsule.ts', '--json'], { cwd: root })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('cache-grant.capsule.ts:4:')
    expect(run.stderr).toContain('the compile cache')
  })
})

describe('a cached compile never skips the grant check', () => {
  it('a grant that turned into a symlink into node_modules after a cached compile fails the next run at file:line', async () => {
    const root = makeProject('grant-swap', { 'data/.keep': '', 'node_modules/.keep': '', 'capsule.config.json': JSON.stringify({ cacheDir: REPO_CACHE }) },
      { 'data-grant.capsule.ts': fixture('data-grant') })
    tmps.push(root)
    const first = await runCli(['run', 'data-grant.capsule.ts', '--json'], { cwd: root })
    expect(first.code, first.stderr).toBe(0)
    const cached = await runCli(['run', 'data-grant.capsule.ts', '--json', '--verbose'], { cwd: root })
    expect(cached.stderr).toContain('inputs unchanged')
    rmSync(join(root, 'data'), { recursive: true })
    symlinkSync(join(root, 'node_modules'), join(root, 'data'))
    const swapped = await runCli(['run', 'data-grant.capsule.ts', '--json'], { cwd: root })
    expect(swapped.code).toBe(2)
    expect(swapped.stderr).toContain('data-grant.capsule.ts:5:')
    expect(swapped.stderr).toContain("'data' would give the task access to node_modules")
  })
})

describe('cached artifacts are verified before they are loaded', () => {
  it.each(['engines', 'components'])('a changed file under %s/ is refused on the next run', async (tampered) => {
    const root = makeProject('cache-verify', {}, { 'basics.capsule.ts': join(REPO_ROOT, 'fixtures/basics.capsule.ts') })
    tmps.push(root)
    // Compiled (or found) in the repository's cache, then run from a private copy of it.
    const warm = createRuntime({ cwd: root, cacheDir: REPO_CACHE, poolSize: 1 })
    await warm.run({ file: 'basics.capsule.ts', task: 'add', args: [1, 2] })
    await warm.close()
    const cacheDir = mkdtempSync(join(tmpdir(), 'capsule-cache-copy-'))
    tmps.push(cacheDir)
    for (const dir of ['engines', 'components', 'sources']) copyCacheDir(join(REPO_CACHE, dir), join(cacheDir, dir))
    mkdirSync(join(cacheDir, 'tmp'), { recursive: true })
    const runtime = createRuntime({ cwd: root, cacheDir, poolSize: 1 })
    try {
      expect(await runtime.run({ file: 'basics.capsule.ts', task: 'add', args: [1, 2] })).toMatchObject({ success: true, result: 3 })
      for (const entry of readdirSync(join(cacheDir, tampered), { recursive: true, withFileTypes: true })) {
        if (entry.isFile() && /\.(js|data)$/.test(entry.name)) appendFileSync(join(entry.parentPath, entry.name), '\n// planted by a task\n')
      }
      await expect(runtime.run({ file: 'basics.capsule.ts', task: 'add', args: [1, 2] })).rejects.toThrow(/changed after it was built/)
    } finally {
      await runtime.close()
    }
  }, 600_000)
})
