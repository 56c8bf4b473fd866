// Watch mode: Vitest's programmatic API (createVitest, watch: true) runs a temp copy of
// fixtures/vitest/watch (the package installed from npm pack); fixtures/vitest/watch/watch-driver.mjs
// edits the task module, then a file it imports, and waits for each re-run. The test that imports
// the task module re-runs and passes against the new code (it expects what the edited source
// answers); the test that imports none does not re-run.
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { REPO_ROOT } from './helpers/cli.ts'
import { makeConsumer, removeTarball, removeTemp, runIn } from './helpers/consumer.ts'

afterAll(removeTarball)

interface Run {
  reason: string
  unhandledErrors: string[]
  files: { file: string; state: string; errors: string[] }[]
}

it('editing a task module, or a file it imports, re-runs the tests importing it against the new code', async () => {
  const root = makeConsumer('vitest-watch', join(REPO_ROOT, 'fixtures/vitest/watch'))
  const { code, output } = await runIn(root, 'watch-driver.mjs', [], {}, 420_000)
  expect(code, output).toBe(0)
  const line = output.split('\n').find((text) => text.startsWith('{"runs"'))
  expect(line, output).toBeDefined()
  const { runs, failure } = JSON.parse(line!) as { runs: Run[]; failure?: string }
  expect(failure, output).toBeUndefined()
  expect(runs).toHaveLength(3)
  const [start, afterModuleEdit, afterImportEdit] = runs
  expect(start!.files).toEqual([
    { file: 'test/calc.test.ts', state: 'passed', errors: [] },
    { file: 'test/other.test.ts', state: 'passed', errors: [] },
  ])
  // Only the importer re-ran, and it saw 'L1:v2', then 'L2:v2' (it fails on any older answer).
  expect(afterModuleEdit!.files).toEqual([{ file: 'test/calc.test.ts', state: 'passed', errors: [] }])
  expect(afterImportEdit!.files).toEqual([{ file: 'test/calc.test.ts', state: 'passed', errors: [] }])
  for (const run of runs) expect(run.unhandledErrors).toEqual([])
  removeTemp(root)
}, 480_000)
