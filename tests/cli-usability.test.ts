// What a new user meets at the terminal: the spinner only on a terminal with a width (a 0-column
// pty used to loop forever), the phase and elapsed time while compiling, "did you mean" for a
// mistyped flag, and the project entrypoint when `capsule run` gets no file.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT, runCli } from './helpers/cli.ts'
import { runCliInPty } from './helpers/pty.ts'

/** A task module nobody compiled yet (the spinner only spins during a real compile), in the repo's cache. */
function freshTaskModule(label: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), `capsule-pty-${label}-`))
  writeFileSync(join(dir, 'capsule.config.json'), JSON.stringify({ cacheDir: join(REPO_ROOT, 'node_modules/.cache/capsule') }))
  writeFileSync(join(dir, 'fresh.capsule.ts'), [
    "import { task } from 'unplugin-capsule'",
    `export const main = task({ name: 'main' }, () => 'fresh ${label} ${process.pid} ${Date.now()}')`,
  ].join('\n'))
  return { dir, file: 'fresh.capsule.ts' }
}

describe('the compile spinner', () => {
  it('stays off on a terminal that reports 0 columns, and the run completes', async () => {
    const { dir, file } = freshTaskModule('zero')
    const result = await runCliInPty(['run', file], { columns: 0, cwd: dir })
    expect(result.killed).toBeUndefined()
    expect(result.code).toBe(0)
    expect(result.output).toContain('main succeeded')
    expect(result.output.length).toBeLessThan(10_000)
  }, 600_000)

  it('shows the phase and the elapsed time on a terminal with a width, then how long each phase took', async () => {
    const { dir, file } = freshTaskModule('wide')
    const result = await runCliInPty(['run', file], { columns: 120, cwd: dir, maxOutput: 16 * 1024 * 1024 })
    expect(result.killed).toBeUndefined()
    expect(result.code).toBe(0)
    const elapsed = String.raw`(\d+ min )?[\d.]+ s`
    expect(result.output).toMatch(new RegExp(String.raw`compiling fresh\.capsule\.ts: componentize \+ snapshot ${elapsed}`))
    expect(result.output).toMatch(new RegExp(String.raw`compiled fresh\.capsule\.ts in ${elapsed} \(bundling ${elapsed}, (waiting for a compile slot ${elapsed}, )?componentize \+ snapshot ${elapsed}`))
    expect(result.output).toContain('main succeeded')
  }, 600_000)
})

describe('mistyped flags', () => {
  it.each([
    [['run', 'fixtures/basics.capsule.ts', '--tsak', 'add'], '--tsak', '--task'],
    [['run', 'fixtures/basics.capsule.ts', '--jsno'], '--jsno', '--json'],
    [['build', '--out-dri', 'x'], '--out-dri', '--out-dir'],
    [['exec', 'x.json', '--mout', 'a'], '--mout', '--mount'],
  ])('%j exits 2 suggesting the flag', async (args, typo, flag) => {
    const { code, stdout, stderr } = await runCli(args)
    expect(code).toBe(2)
    expect(stdout).toBe('')
    expect(stderr.trim().split('\n')).toEqual([`capsule: Unknown option \`${typo}\` (did you mean \`${flag}\`?)`])
  })
})

describe('the project entrypoint', () => {
  it('`capsule run` with no file runs the config\'s entrypoint', async () => {
    const { code, stdout } = await runCli(['run', '--config', 'fixtures/entrypoint/capsule.config.json', '--args', '["Ada"]', '--json'])
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({ success: true, result: 'Hello, Ada!' })
  }, 600_000) // compiles fixtures/basics.capsule.ts if no other test did yet

  it('without an entrypoint, exits 2 saying so', async () => {
    const none = await runCli(['run'], { cwd: mkdtempSync(join(tmpdir(), 'capsule-no-config-')) })
    expect(none.code).toBe(2)
    expect(none.stderr.trim().split('\n')).toHaveLength(1)
    expect(none.stderr).toMatch(/no task module given and there is no capsule\.config.*entrypoint/)
    const empty = await runCli(['run', '--config', 'fixtures/entrypoint/no-entrypoint.config.json'])
    expect(empty.code).toBe(2)
    expect(empty.stderr).toMatch(/no task module given and .*no-entrypoint\.config\.json has no "entrypoint"/)
  })

  it('rejects a config whose metadata is not a string', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'capsule-bad-entry-'))
    writeFileSync(join(dir, 'capsule.config.json'), JSON.stringify({ entrypoint: 5 }))
    const { code, stderr } = await runCli(['run'], { cwd: dir })
    expect(code).toBe(2)
    expect(stderr).toMatch(/capsule\.config\.json: option "entrypoint" must be a non-empty string, e\.g\. 'src\/main\.capsule\.ts', got 5/)
  })
})
