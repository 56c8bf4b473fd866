// Errors thrown inside a task keep their name ('TypeError: cannot handle 5') and carry a stack
// whose frames point at the task module's own sources (mapped through the guest bundle's source
// map); top-level code that throws at build time is reported at the module's file:line.
import { afterAll, describe, expect, it } from 'vitest'
import { createRuntime } from 'unplugin-capsule/runtime'
import { runCli } from './helpers/cli.ts'

const runtime = createRuntime({ poolSize: 1 })
afterAll(() => runtime.close())

const file = 'fixtures/errors.capsule.ts'
const call = (task: string, ...args: unknown[]) => runtime.run({ file, task, args })

describe('task errors', () => {
  it('keep the error name in the message and map the stack to the task module', async () => {
    const envelope = await call('typed', 5)
    expect(envelope.success).toBe(false)
    expect(envelope.error).toEqual({
      error_type: 'task_error',
      message: 'TypeError: cannot handle 5',
      stack: 'TypeError: cannot handle 5\n    at typed (fixtures/errors.capsule.ts:6:9)',
    })
  }, 600_000) // the first call compiles the fixture (minutes on a busy machine)

  it('map frames in an imported module too, innermost first', async () => {
    const { error } = await call('helper', -1)
    expect(error?.message).toBe('RangeError: -1 is not positive')
    expect(error?.stack?.split('\n')).toEqual([
      'RangeError: -1 is not positive',
      '    at mustBePositive (fixtures/errors-helper.ts:3:21)',
      expect.stringMatching(/^ {4}at helper \(fixtures\/errors\.capsule\.ts:9:\d+\)$/),
    ])
  })

  it('name a syntax error in eval\'d code', async () => {
    const { error } = await call('evaluate', 'let x = ;')
    expect(error?.error_type).toBe('task_error')
    expect(error?.message).toMatch(/^SyntaxError: /)
    expect(error?.stack).toContain('at evaluate (fixtures/errors.capsule.ts:11:')
  })

  it('leave a thrown string as it is, without a stack', async () => {
    const { error } = await call('plain')
    expect(error).toEqual({ error_type: 'task_error', message: 'a plain string' })
  })

  it('at build time name the task module\'s line, not wizer internals', async () => {
    const { code, stderr } = await runCli(['run', 'fixtures/bad/top-level-throw.capsule.ts', '--json'])
    expect(code).toBe(2)
    expect(stderr.trim().split('\n')).toHaveLength(1)
    expect(stderr).toMatch(/^capsule: fixtures\/bad\/top-level-throw\.capsule\.ts:3:\d+: top-level code failed at build time.*SyntaxError: JSON\.parse/)
    expect(stderr).not.toMatch(/wizer|guest\.js/)
  }, 600_000) // a compile that fails only at the snapshot
})
