// Imported without the plugin (plain Node), task() must not run the function: it answers an
// internal_error envelope saying how to sandbox it. Only CAPSULE_UNSANDBOXED=1 runs it directly,
// with a warning (once), and still answers envelopes.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { task } from 'unplugin-capsule'

describe('task() in plain Node', () => {
  afterEach(() => {
    vi.unstubAllEnvs()
    vi.restoreAllMocks()
  })

  it('refuses to run the function unsandboxed by default, saying how to sandbox it', async () => {
    vi.stubEnv('CAPSULE_UNSANDBOXED', '')
    let ran = false
    const add = task({ name: 'add' }, (a: number, b: number) => {
      ran = true
      return a + b
    })
    const envelope = await add(2, 3)
    expect(ran).toBe(false)
    expect(envelope).toMatchObject({ success: false, result: null, error: { error_type: 'internal_error' }, execution: { task_name: 'add', retries: 0 } })
    expect(envelope.error?.message).toMatch(/not sandboxed/)
    expect(envelope.error?.message).toMatch(/unplugin-capsule\/vite/)
    expect(envelope.error?.message).toMatch(/capsule run/)
    expect(envelope.error?.message).toMatch(/CAPSULE_UNSANDBOXED=1/)
  })

  it('with CAPSULE_UNSANDBOXED=1 runs the function directly, warns once, and answers envelopes', async () => {
    vi.stubEnv('CAPSULE_UNSANDBOXED', '1')
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {})
    const add = task({ name: 'add' }, (a: number, b: number) => a + b)
    const boom = task({ name: 'boom' }, () => {
      throw new TypeError('nope')
    })
    expect(await add(2, 3)).toMatchObject({ success: true, result: 5, error: null, execution: { task_name: 'add', retries: 0 } })
    expect(await boom()).toMatchObject({ success: false, result: null, error: { error_type: 'task_error', message: 'TypeError: nope' } })
    expect(warn).toHaveBeenCalledTimes(1)
    expect(String(warn.mock.calls[0]![0])).toMatch(/NOT sandboxed/)
  })
})
