// webpack ESM output from a plain user config (issue #10 item 13): `experiments.outputModule`,
// `output.module`, `target: 'node20'`, no `node` option. webpack folds `typeof __filename` to
// `true` there, so a proxy that asked at run time threw "__filename is not defined in ES module
// scope"; the proxy must use import.meta.url for ESM output. The output runs with plain node.
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { APP, CACHE_DIR, deploymentDir, runNode } from '../fixtures/plugin/helpers.ts'

const TS_LOADER = join(APP, '..', 'ts-loader.cjs')
let work: string

beforeAll(() => {
  work = deploymentDir('capsule-webpack-esm')
  mkdirSync(join(work, 'elsewhere'))
})

afterAll(() => {
  rmSync(work, { recursive: true, force: true })
})

it('a webpack ESM build for node20 runs its tasks', async () => {
  const [{ default: webpack }, { default: capsule }] = await Promise.all([import('webpack'), import('unplugin-capsule/webpack')])
  const outDir = join(work, 'out')
  const compiler = webpack({
    mode: 'production', target: 'node20', context: APP, entry: './main.ts', devtool: false,
    experiments: { outputModule: true },
    output: { path: outDir, filename: 'main.mjs', module: true },
    optimization: { minimize: false },
    module: { rules: [{ test: /\.ts$/, loader: TS_LOADER }] },
    plugins: [capsule({ cacheDir: CACHE_DIR })],
  })
  const stats = await new Promise<import('webpack').Stats>((resolve, reject) => {
    compiler.run((error, result) => (error || !result ? reject(error ?? new Error('no stats')) : resolve(result)))
  })
  await new Promise((resolve) => compiler.close(resolve))
  expect(stats.hasErrors() ? stats.toJson({ all: false, errors: true }).errors!.map((e) => e.message).join('\n') : '').toBe('')
  const { code, stdout, stderr } = await runNode(join(outDir, 'main.mjs'), ['Ada'], { cwd: join(work, 'elsewhere'), env: { GREETING: 'Hi' } })
  expect(stderr).toBe('')
  expect(code).toBe(0)
  // The proxies found their manifest and ran both tasks (greet's 5 s timeout is not the point here).
  const output = JSON.parse(stdout) as { greet: { execution: { task_name: string } }; shout: { success: boolean; result: unknown } }
  expect(output.greet.execution.task_name).toBe('greet')
  expect(output.shout).toMatchObject({ success: true, result: 'QUIET PLEASE' })
}, 600_000)
