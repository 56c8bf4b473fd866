// Caller mistakes in RunOptions reject with CapsuleError INVALID_RUN_OPTIONS naming the field,
// before anything is compiled or run (they used to surface as a task_error from the sandbox).
import { afterAll, describe, expect, it } from 'vitest'
import { CapsuleError, createRuntime, type RunOptions } from 'unplugin-capsule/runtime'

const runtime = createRuntime({ poolSize: 1 })
afterAll(() => runtime.close())

const file = 'fixtures/basics.capsule.ts'

async function rejection(options: unknown): Promise<CapsuleError> {
  const error = await runtime.run(options as RunOptions).then(() => undefined, (reason: unknown) => reason)
  expect(error).toBeInstanceOf(CapsuleError)
  expect((error as CapsuleError).code).toBe('INVALID_RUN_OPTIONS')
  return error as CapsuleError
}

describe('run() options', () => {
  it.each([
    [{ file, task: 'add', args: 5 }, /option "args" must be an array of JSON values.*got number 5/],
    [{ file, args: '[2, 3]' }, /option "args" must be an array.*got "\[2, 3\]"/],
    [{ file, mounts: './data::input:ro' }, /option "mounts" must be an array of 'HOST\[::GUEST\]\[:ro\|:rw\]' strings/],
    [{ file, task: 7 }, /option "task" must be a task name/],
    [{ file, signal: 1000 }, /option "signal" must be an AbortSignal/],
    [{ file, cwd: '' }, /option "cwd" must be a directory path/],
    [{ fille: file }, /unknown option "fille" \(did you mean "file"\?\)/],
    [{ file, arg: [1] }, /unknown option "arg" \(did you mean "args"\?\)/],
    [null, /options must be an object/],
  ])('%j rejects naming the field', async (options, message) => {
    expect((await rejection(options)).message).toMatch(message)
  })

  it('still answers invalid_input (not a rejection) for arguments that are not JSON values', async () => {
    const envelope = await runtime.run({ file, task: 'add', args: [1n, 2] })
    expect(envelope).toMatchObject({ success: false, error: { error_type: 'invalid_input' } })
  }, 600_000) // compiles the fixture if no other test did yet
})
