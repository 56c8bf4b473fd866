// Build-time reads of host files through the guest bundle (issue #10 item 1): a task module
// with no allowedFiles tries to inline a secret into its bundle. Each must fail the build with
// the importing file:line and the reason, and the secret must never show up anywhere.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createRuntime } from 'unplugin-capsule/runtime'
import { REPO_ROOT, runCli } from './helpers/cli.ts'
import { makeProject } from './helpers/project.ts'

const SECRET = 'BUILD-TIME-SECRET-5E11'
const fixture = (name: string) => join(REPO_ROOT, 'fixtures/security/build', `${name}.capsule.ts`)

function project(name: string): string {
  const root = makeProject(`build-${name}`, {
    'outside.json': JSON.stringify({ secret: SECRET }),
    'project/secret.txt': SECRET,
    'project/.env': `TOKEN=${SECRET}\n`,
    'project/.credentials.json': JSON.stringify({ secret: SECRET }),
    'project/settings.json': JSON.stringify({ value: 21 }),
    'project/lib/double.ts': 'export const double = (n: number) => n * 2\n',
  }, { [`project/${name}.capsule.ts`]: fixture(name) })
  return join(root, 'project')
}

describe('the guest bundle imports only code and JSON from the project and node_modules', () => {
  it.each([
    ['text-file', 4, 'only code and JSON can be imported into a sandbox'],
    ['dotenv', 4, "import attribute type: 'text' is not allowed"],
    ['proc', 4, "import attribute type: 'text' is not allowed"],
    ['outside', 4, 'only files inside the project root or node_modules'],
    ['dot-json', 4, 'dotfiles and dot-directories of the project cannot be imported'],
    ['data-url', 4, 'URL imports'],
  ])('%s: the build fails at file:line with the reason, and no secret leaks', async (name, line, reason) => {
    const cwd = project(name)
    const run = await runCli(['run', `${name}.capsule.ts`, '--json'], { cwd })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(`${name}.capsule.ts:${line}:`)
    expect(run.stderr).toContain(reason)
    expect(run.stdout + run.stderr).not.toContain(SECRET)
  })

  it('an absolute import without attributes is refused too', async () => {
    const cwd = project('proc')
    const source = readFileSync(join(cwd, 'proc.capsule.ts'), 'utf8').replace(" with { type: 'text' }", '')
    const module = join(cwd, 'proc-plain.capsule.ts')
    await import('node:fs').then((fs) => fs.writeFileSync(module, source))
    const run = await runCli(['run', 'proc-plain.capsule.ts', '--json'], { cwd })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('proc-plain.capsule.ts:4:')
    expect(run.stderr).toContain('absolute import paths are not allowed')
  })

  it('code and JSON from inside the project still bundle and run', async () => {
    const cwd = project('allowed')
    const runtime = createRuntime({ cwd, cacheDir: join(REPO_ROOT, 'node_modules/.cache/capsule'), poolSize: 1 })
    try {
      expect(await runtime.run({ file: 'allowed.capsule.ts' })).toMatchObject({ success: true, result: { value: 21, twice: 42 } })
    } finally {
      await runtime.close()
    }
  }, 300_000)
})
