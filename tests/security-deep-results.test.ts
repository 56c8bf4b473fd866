// Deep results must not crash or hang the host (issue #10 item 4), checked at process level:
// a plain Node process makes 20 calls whose results (direct, or a sub-task's) are nested
// 3,000–8,000 deep. The process must stay up (no unhandled rejection, no stack overflow) and
// every call must be answered with invalid_output. The CLI must print an envelope too.
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT, runCli } from './helpers/cli.ts'
import { makeProject } from './helpers/project.ts'

const CACHE_DIR = join(REPO_ROOT, 'node_modules/.cache/capsule')
const root = makeProject('security-deep', { 'capsule.config.json': JSON.stringify({ cacheDir: CACHE_DIR }), 'out/pub/public.txt': 'public' },
  { 'attacks.capsule.ts': join(REPO_ROOT, 'fixtures/security/attacks.capsule.ts') })

// The host app's own handle (a server, in real life): the runtime's idle workers are unref'd.
const SCRIPT = `
const alive = setInterval(() => {}, 1_000)
const { createRuntime } = await import(${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'dist/runtime.mjs')).href)})
const runtime = createRuntime({ cwd: ${JSON.stringify(root)}, cacheDir: ${JSON.stringify(CACHE_DIR)}, poolSize: 2 })
await runtime.run({ file: 'attacks.capsule.ts', task: 'meta' }) // compiled before the flood
const calls = []
for (let i = 0; i < 20; i++) {
  const depth = i % 2 === 0 ? 3_000 : 8_000
  const task = i % 4 < 2 ? 'deep' : 'deepCaller'
  calls.push(runtime.run({ file: 'attacks.capsule.ts', task, args: [depth] }).then(
    (envelope) => ({ task, answered: true, type: envelope.error?.error_type ?? envelope.result }),
    (error) => ({ task, answered: false, type: String(error) })))
}
const answers = await Promise.all(calls)
await runtime.close()
clearInterval(alive)
console.log(JSON.stringify(answers))
`

describe('deep results at process level', () => {
  it('20 deep-result calls: the host process stays up and every call is answered', async () => {
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ['--input-type=module', '-e', SCRIPT], { timeout: 540_000, maxBuffer: 16 * 1024 * 1024 }, (error, out, err) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 99) : 0, stdout: out, stderr: err })
      })
    })
    expect(stderr).toBe('')
    expect(code).toBe(0)
    const answers = JSON.parse(stdout) as { task: string; answered: boolean; type: string }[]
    expect(answers).toHaveLength(20)
    for (const answer of answers) expect(answer).toMatchObject({ answered: true, type: 'invalid_output' })
  }, 600_000)

  it('the CLI answers a deep result with an envelope, not an internal error', async () => {
    const run = await runCli(['run', 'attacks.capsule.ts', '--task', 'deep', '--args', '[8000]'], { cwd: root })
    expect(run.stderr).not.toContain('internal error')
    expect(run.code).toBe(1)
    expect(run.stdout).toContain('invalid_output')
    const json = await runCli(['run', 'attacks.capsule.ts', '--task', 'deep', '--args', '[8000]', '--json'], { cwd: root })
    expect(JSON.parse(json.stdout)).toMatchObject({ success: false, error: { error_type: 'invalid_output' } })
  }, 600_000)
})
