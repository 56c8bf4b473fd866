// `capsule build`, `exec` and `inspect` as a user runs them, and project defaults from
// capsule.config.*: a built folder runs anywhere with the runtime alone, a changed artifact is
// refused (exit 2, naming it), and the tasks' resolved policies can be audited.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REPO_ROOT, runCli } from './helpers/cli.ts'

const GREET = 'fixtures/plugin/app/tasks/greet.capsule.ts'
const CONFIG = 'fixtures/plugin/capsule.config.ts'
let work: string
let out: string

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'capsule-cli-build-'))
  out = join(work, 'out')
  const { code, stderr } = await runCli(['build', GREET, '--out-dir', out])
  expect(stderr).toBe('')
  expect(code).toBe(0)
})

afterAll(() => {
  rmSync(work, { recursive: true, force: true })
})

const manifestOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'capsule.manifest.json'), 'utf8'))

describe('capsule build', () => {
  it('writes the engine, the module snapshot and a manifest with resolved policies', () => {
    const manifest = manifestOf(out)
    expect(manifest.modules.map((module: { source: string }) => module.source)).toEqual([GREET])
    expect(manifest.modules[0].tasks.map((task: { name: string; export: string }) => `${task.export}:${task.name}`)).toEqual(['greet:greet', 'default:shout'])
    expect(manifest.engine.files.map((file: { path: string }) => file.path)).toContain('component.js')
  })

  it('finds every task module under the config root when no file is given, with the config defaults', async () => {
    const dir = join(work, 'discovered')
    const { code, stdout } = await runCli(['build', '--config', CONFIG, '--out-dir', dir, '--json'])
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({ modules: 1, tasks: 2 })
    const [module] = manifestOf(dir).modules
    expect(module.source).toBe('tasks/greet.capsule.ts')
    // Task options win over the defaults; the defaults fill the rest.
    expect(module.tasks[0].policy).toMatchObject({ timeout: 5_000, fuel: 50_000_000_000, env: ['GREETING'] })
    expect(module.tasks[1].policy).toMatchObject({ timeout: 2_000, fuel: 100_000_000, env: ['SUFFIX'] })
  })

  it('fails with exit 2 and file:line:column for a bad option', async () => {
    const { code, stderr } = await runCli(['build', 'fixtures/plugin/bad/lots-of-ram.capsule.ts', '--out-dir', join(work, 'bad')])
    expect(code).toBe(2)
    expect(stderr.trim().split('\n')).toHaveLength(1)
    expect(stderr).toMatch(/lots-of-ram\.capsule\.ts:3:\d+: option "ram": 'lots' is not a valid size; accepted:/)
  })
})

describe('capsule exec', () => {
  it('runs a task from the built folder, from another directory, without the sources', async () => {
    const { code, stdout } = await runCli(['exec', join(out, 'capsule.manifest.json'), 'Ada', '--task', `${GREET}#greet`, '--json'], { cwd: work, env: { GREETING: 'Hey' } })
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({ success: true, result: 'Hey, Ada!' })
    const byName = await runCli(['exec', join(out, 'capsule.manifest.json'), '--task', 'shout', '--args', '["ok"]', '--json'], { cwd: work })
    expect(JSON.parse(byName.stdout)).toMatchObject({ success: true, result: 'OK' })
  })

  it('exits 2 naming the artifact when one byte of it changed; the untouched folder still runs', async () => {
    const tampered = join(work, 'tampered')
    cpSync(out, tampered, { recursive: true })
    const { artifact } = manifestOf(tampered).modules[0]
    const relative = `${artifact.dir}/${artifact.files[0].path}`
    const bytes = readFileSync(join(tampered, relative))
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01
    writeFileSync(join(tampered, relative), bytes)

    const refused = await runCli(['exec', join(tampered, 'capsule.manifest.json'), 'Ada', '--task', 'greet', '--json'], { cwd: work })
    expect(refused.code).toBe(2)
    expect(refused.stdout).toBe('')
    expect(refused.stderr.trim().split('\n')).toHaveLength(1)
    expect(refused.stderr).toContain(`artifact ${relative} does not match its sha256`)

    const untouched = await runCli(['exec', join(out, 'capsule.manifest.json'), 'Ada', '--task', 'greet', '--json'], { cwd: work })
    expect(untouched.code).toBe(0)
  })

  it.each([
    [['--task', 'nope'], /unknown task "nope"/],
    [['--task', 'tasks/missing.capsule.ts#greet'], /no task module "tasks\/missing.capsule.ts"/],
  ])('exits 2 with a one-line reason for %j', async (flags, reason) => {
    const { code, stderr } = await runCli(['exec', join(out, 'capsule.manifest.json'), ...flags])
    expect(code).toBe(2)
    expect(stderr.trim().split('\n')).toHaveLength(1)
    expect(stderr).toMatch(reason)
  })

  it('exits 2 for a file that is not a valid manifest', async () => {
    const bogus = join(work, 'bogus.json')
    writeFileSync(bogus, JSON.stringify({ version: 1, toolchain: {}, modules: [] }))
    const { code, stderr } = await runCli(['exec', bogus])
    expect(code).toBe(2)
    expect(stderr).toMatch(/bogus\.json: toolchain\.capsule must be a non-empty string/)
  })
})

describe('capsule inspect', () => {
  it('prints the tasks of a manifest and their resolved policies as a table, after checking every artifact', async () => {
    const { code, stdout } = await runCli(['inspect', join(out, 'capsule.manifest.json')])
    expect(code).toBe(0)
    expect(stdout).toContain('every artifact matches its sha256')
    expect(stdout).toMatch(/TASK\s+EXPORT\s+COMPUTE\s+RAM\s+TIMEOUT\s+RETRIES\s+FILES\s+HOSTS\s+ENV/)
    expect(stdout).toMatch(/greet\.capsule\.ts#greet\s+greet\s+MEDIUM \(2,000,000,000\)\s+unlimited\s+5s\s+1\s+-\s+-\s+GREETING/)
    expect(stdout).toMatch(/greet\.capsule\.ts#shout\s+default\s+LOW \(100,000,000\)\s+unlimited\s+none\s+0\s+-\s+api\.example\.com\s+-/)
  })

  it('prints a task module\'s policies as JSON without compiling it, with the config defaults', async () => {
    const { code, stdout } = await runCli(['inspect', GREET, '--config', CONFIG, '--json'])
    expect(code).toBe(0)
    const inspection = JSON.parse(stdout)
    expect(inspection).toMatchObject({ kind: 'module', modules: [{ source: 'tasks/greet.capsule.ts' }] })
    expect(inspection.modules[0].tasks[1]).toEqual({
      name: 'shout', export: 'default',
      policy: { fuel: 100_000_000, ram: null, timeout: 2_000, maxRetries: 0, files: [], hosts: ['api.example.com'], env: ['SUFFIX'] },
    })
  })
})

describe('capsule.config', () => {
  it('applies the defaults of a TypeScript config to `capsule run`', async () => {
    const plain = await runCli(['run', GREET, '--task', 'shout', '--args', '["a"]', '--json'], { env: { SUFFIX: '!!' } })
    expect(JSON.parse(plain.stdout)).toMatchObject({ success: true, result: 'A' })
    const configured = await runCli(['run', GREET, '--task', 'shout', '--args', '["a"]', '--json', '--config', CONFIG], { env: { SUFFIX: '!!' } })
    expect(configured.code).toBe(0)
    expect(JSON.parse(configured.stdout)).toMatchObject({ success: true, result: 'A!!' })
  })

  it('finds capsule.config.mjs and capsule.config.json in the working directory', async () => {
    const project = mkdtempSync(join(work, 'project-'))
    writeFileSync(join(project, 'capsule.config.mjs'), 'export default { defaults: { maxRetries: 3 } }\n')
    const fromMjs = await runCli(['inspect', join(REPO_ROOT, GREET), '--json'], { cwd: project })
    expect(JSON.parse(fromMjs.stdout).modules[0].tasks[1].policy.maxRetries).toBe(3)
    rmSync(join(project, 'capsule.config.mjs'))
    writeFileSync(join(project, 'capsule.config.json'), JSON.stringify({ defaults: { ram: '64MB' } }))
    const fromJson = await runCli(['inspect', join(REPO_ROOT, GREET), '--json'], { cwd: project })
    expect(JSON.parse(fromJson.stdout).modules[0].tasks[0].policy.ram).toBe(64 * 1024 * 1024)
  })

  it.each([
    [{ defaults: { ram: 'lots' } }, /capsule\.config\.json: option "ram" \(in defaults\): 'lots' is not a valid size; accepted:/],
    [{ defautls: {} }, /capsule\.config\.json: unknown option "defautls"; accepted: include, exclude, defaults/],
  ])('exits 2 naming the config file for %j', async (config, reason) => {
    const project = mkdtempSync(join(work, 'bad-config-'))
    writeFileSync(join(project, 'capsule.config.json'), JSON.stringify(config))
    const { code, stderr } = await runCli(['inspect', join(REPO_ROOT, GREET)], { cwd: project })
    expect(code).toBe(2)
    expect(stderr.trim().split('\n')).toHaveLength(1)
    expect(stderr).toMatch(reason)
  })
})
