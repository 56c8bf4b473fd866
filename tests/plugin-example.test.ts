// examples/vite-app stays true: built with its own vite.config.ts, the output evaluates snippets in
// the sandbox with plain node — and stops a runaway one.
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { REPO_ROOT } from './helpers/cli.ts'
import { deploymentDir, runNode } from '../fixtures/plugin/helpers.ts'

const EXAMPLE = join(REPO_ROOT, 'examples/vite-app')
let work: string

beforeAll(async () => {
  work = deploymentDir('capsule-example')
  const { build } = await import('vite')
  await build({ root: EXAMPLE, configFile: join(EXAMPLE, 'vite.config.ts'), logLevel: 'silent', build: { outDir: join(work, 'dist'), emptyOutDir: true } })
})

afterAll(() => {
  rmSync(work, { recursive: true, force: true })
})

it('evaluates a snippet in the sandbox', async () => {
  const { code, stdout } = await runNode(join(work, 'dist/main.mjs'), ['return 6 * 7'], { cwd: work })
  expect(code).toBe(0)
  expect(stdout).toContain('result: 42')
})

it('stops a runaway snippet at its compute budget', async () => {
  const { code, stdout } = await runNode(join(work, 'dist/main.mjs'), ['while (true) {}'], { cwd: work })
  expect(code).toBe(1)
  expect(stdout).toMatch(/^(fuel_exhausted|timeout): /)
})
