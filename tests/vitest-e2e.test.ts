// `unplugin-capsule/vitest` as a consumer gets it: the package installed from `npm pack` into a
// temp project (tests/helpers/consumer.ts), Vitest 4, `plugins: [capsuleTest()]`, run with the
// `vitest run` CLI in a child process. examples/vitest uses every matcher in both forms and must
// pass, and type-check; fixtures/vitest/consumer fails on purpose and its messages are read here,
// and prints the fuel of a deterministic task, compared across three runs.
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REPO_ROOT } from './helpers/cli.ts'
import { makeConsumer, removeTarball, removeTemp, runIn, vitestRun } from './helpers/consumer.ts'

let example: string
let consumer: string

beforeAll(() => {
  example = makeConsumer('vitest-example', join(REPO_ROOT, 'examples/vitest'))
  consumer = makeConsumer('vitest-consumer', join(REPO_ROOT, 'fixtures/vitest/consumer'))
  removeTarball()
})
afterAll(() => removeTemp(example, consumer))

describe('examples/vitest, installed from npm pack', () => {
  it('every matcher, passing and .not: `vitest run` passes', async () => {
    const { code, output } = await vitestRun(example)
    expect(code, output).toBe(0)
    expect(output).toMatch(/Test Files\s+1 passed \(1\)/)
    expect(output).toMatch(/Tests\s+9 passed \(9\)/)
  }, 450_000)

  it("type-checks: the task's argument and result types flow into the matchers", async () => {
    const { code, output } = await runIn(example, 'node_modules/typescript/bin/tsc', ['--noEmit', '-p', '.'])
    expect(output.trim()).toBe('')
    expect(code).toBe(0)
  }, 240_000)
})

describe('fixtures/vitest/consumer: tests that must fail', () => {
  let output: string
  let code: number
  beforeAll(async () => {
    ({ code, output } = await vitestRun(consumer, ['deliberate']))
  }, 450_000)

  /** The part of the output that reports one failed test, up to the next one. */
  function report(name: string): string {
    const start = output.indexOf(`FAIL  test/deliberate.test.ts > ${name}`)
    expect(start, `no failure reported for "${name}" in:\n${output}`).toBeGreaterThanOrEqual(0)
    const next = output.indexOf('⎯⎯⎯', start)
    return output.slice(start, next === -1 ? undefined : next)
  }

  it('every one is reported failed', () => {
    expect(code, output).toBe(1)
    expect(output).toMatch(/Tests\s+6 failed \(6\)/)
  })

  it('toSucceed on a throwing task shows the error type and message, and what it logged', () => {
    const text = report('toSucceed on a task that throws')
    expect(text).toContain('Expected the task "explode" to succeed, but it failed')
    expect(text).toContain('Received error_type: "task_error"')
    expect(text).toMatch(/Received message: {4}"(RangeError: )?boom: the input"/)
    expect(text).toContain('[log] "checking the input"')
  })

  it('toFail on a task that succeeds shows its result', () => {
    const text = report('toFail on a task that succeeds')
    expect(text).toContain('Expected the task "add" to fail, but it succeeded')
    expect(text).toContain('Received result: 5')
  })

  it('toSucceedWithin on a slow task shows the measured duration', () => {
    const text = report('toSucceedWithin 1ms on a slow task')
    expect(text).toMatch(/Expected the task "slow" to succeed within "1 ms", but it took "(\d+(\.\d+)?) ms"/)
    const took = Number(/but it took "(\d+(?:\.\d+)?) ms"/.exec(text)![1])
    expect(took).toBeGreaterThanOrEqual(30)
  })

  it('toHaveLogged when nothing was logged shows the logs seen', () => {
    const text = report('toHaveLogged when nothing was logged')
    expect(text).toContain('Expected a log containing "x"')
    expect(text).toContain('Received logs: (none: the task logged nothing)')
  })

  it('a forgotten await fails its test, saying to await, whether the assertion passed or not', () => {
    const passing = report('a forgotten await on a passing assertion')
    expect(passing).toContain('UnawaitedAssertionError: expect(received).toSucceedWith() was not awaited')
    expect(passing).toContain('write `await expect(…).toSucceedWith()`')
    expect(passing).toContain('When the test ended it had passed')
    expect(passing).toContain('❯ test/deliberate.test.ts:22:') // the line that forgot it
    const failing = report('a forgotten await on a failing assertion')
    expect(failing).toContain('was not awaited')
    expect(failing).toContain('When the test ended it had failed')
    expect(failing).toContain('Expected result: 6')
  })
})

describe('toUseFuelBelow on a deterministic task', () => {
  it('passes identically in 3 runs', async () => {
    const fuel: string[] = []
    for (let run = 0; run < 3; run++) {
      const { code, output } = await vitestRun(consumer, ['fuel'])
      expect(code, output).toBe(0)
      expect(output).toMatch(/Tests\s+1 passed \(1\)/)
      fuel.push(/FUEL=(\d+)/.exec(output)?.[1] ?? `missing in: ${output}`)
    }
    expect(fuel[0]).toMatch(/^\d+$/)
    expect(fuel).toEqual([fuel[0], fuel[0], fuel[0]])
  }, 600_000)
})
