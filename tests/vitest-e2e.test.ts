// `unplugin-capsule/vitest` for real: a user's project (fixtures/vitest/project, copied to a
// temp folder of its own per run; the compile cache is shared and keyed by content) whose vitest.config.ts uses
// capsuleTest(), run with the `vitest run` CLI in a child process. Its specs import a task module
// (compiled through the toolchain: 10–20 s the first time) and use the matchers without any setup
// of their own; a deliberately failing spec shows the matchers' messages in Vitest's output.
import { execFile } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { REPO_ROOT } from './helpers/cli.ts'
import { CACHE_DIR } from '../fixtures/plugin/helpers.ts'

const FIXTURE = join(REPO_ROOT, 'fixtures/vitest/project')
const root = mkdtempSync(join(tmpdir(), 'capsule-test-vitest-e2e-'))

interface VitestRun { code: number; output: string }

/** `vitest run <filter>` in the project, as its user would type it. */
function vitestRun(filter: string): Promise<VitestRun> {
  // This process is itself a Vitest worker: none of its VITEST_* variables may leak into the child.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST')))
  return new Promise((resolve) => {
    execFile(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', filter], {
      cwd: root, env: { ...env, NO_COLOR: '1', CI: '1', CAPSULE_CACHE_DIR: CACHE_DIR }, maxBuffer: 16 * 1024 * 1024, timeout: 280_000,
    }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 99) : 0, output: `${stdout}\n${stderr}` })
    })
  })
}

beforeAll(() => {
  cpSync(FIXTURE, root, { recursive: true })
  // Installed as a user would have them: this package and the Vitest it is tested with.
  mkdirSync(join(root, 'node_modules'))
  symlinkSync(REPO_ROOT, join(root, 'node_modules/unplugin-capsule'), 'dir')
  symlinkSync(join(REPO_ROOT, 'node_modules/vitest'), join(root, 'node_modules/vitest'), 'dir')
})

describe('capsuleTest() under `vitest run`', () => {
  it('compiles the task module, registers the matchers, and the passing spec passes', async () => {
    const { code, output } = await vitestRun('math')
    expect(code, output).toBe(0)
    expect(output).toMatch(/Test Files\s+1 passed \(1\)/)
    expect(output).toMatch(/Tests\s+3 passed \(3\)/)
  }, 300_000)

  it('a failing matcher fails its test with its message', async () => {
    const { code, output } = await vitestRun('deliberate')
    expect(code, output).toBe(1)
    expect(output).toMatch(/Tests\s+2 failed \(2\)/)
    // toSucceedWith on another result: the hint, both results and Vitest's diff.
    expect(output).toContain('expect(received).toSucceedWith(expected)')
    expect(output).toContain('Expected the task "add" to succeed with another result')
    expect(output).toContain('Expected result: 6')
    expect(output).toContain('Received result: 5')
    // toSucceed on a task that threw: its error_type and message.
    expect(output).toContain('expect(received).toSucceed()')
    expect(output).toContain('Expected the task "explode" to succeed, but it failed')
    expect(output).toContain('Received error_type: "task_error"')
    expect(output).toContain('Received message:    "boom: late"')
  }, 300_000)
})
