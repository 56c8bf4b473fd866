// Imported without the plugin, task() runs the function directly, warns once that it is not
// sandboxed, and still answers an envelope.
import { describe, expect, it, vi } from 'vitest'
import { task } from 'unplugin-capsule'

describe('task() in plain Node', () => {
  it('runs the function, warns once, and answers envelopes', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {})
    const add = task({ name: 'add' }, (a: number, b: number) => a + b)
    const boom = task({ name: 'boom' }, () => {
      throw new Error('nope')
    })
    expect(await add(2, 3)).toMatchObject({ success: true, result: 5, error: null, execution: { task_name: 'add', retries: 0 } })
    expect(await boom()).toMatchObject({ success: false, result: null, error: { error_type: 'task_error', message: 'nope' } })
    expect(warn).toHaveBeenCalledTimes(1)
    expect(String(warn.mock.calls[0]![0])).toMatch(/NOT sandboxed/)
    warn.mockRestore()
  })
})
