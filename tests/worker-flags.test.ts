// A host started with flags Node refuses to pass to worker threads explicitly (`--expose-gc`, a
// heap size) and with an inline entry script (`--input-type=module -e`) still gets its calls
// answered: the sandbox workers start with the flags a worker may take (worker-exec-argv.ts).
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from './helpers/cli.ts'

const SCRIPT = `
const { createRuntime } = await import(${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'dist/runtime.mjs')).href)})
const runtime = createRuntime({ cwd: ${JSON.stringify(REPO_ROOT)}, poolSize: 1 })
const envelope = await runtime.run({ file: 'fixtures/basics.capsule.ts', task: 'add', args: [2, 3] })
await runtime.close()
console.log(JSON.stringify({ result: envelope.result, gc: typeof globalThis.gc }))
`

describe('sandbox workers under host flags', () => {
  it('answers with --expose-gc and --max-old-space-size on the host process', async () => {
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ['--expose-gc', '--max-old-space-size=512', '--input-type=module', '-e', SCRIPT], { timeout: 240_000 }, (error, out, err) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 99) : 0, stdout: out, stderr: err })
      })
    })
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toEqual({ result: 5, gc: 'function' })
  }, 300_000)
})
