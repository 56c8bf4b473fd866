// `vite build --watch` in the dev loop: an edit of a task module is picked up, the module is
// compiled again, and the rebuilt output runs the new code (issue #15). The time from the edit
// to the rebuilt output is measured by `npm run bench:build`, not here.
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { RollupWatcher, RollupWatcherEvent } from 'rollup'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { APP, CACHE_DIR, deploymentDir, runNode } from '../fixtures/plugin/helpers.ts'

let work: string
let watcher: RollupWatcher | undefined
const events: RollupWatcherEvent['code'][] = []
let waiters: (() => void)[] = []

/** Resolves at the next END (a build finished) or rejects at the next ERROR event. */
function nextBuild(): Promise<void> {
  return new Promise((resolve, reject) => {
    const seen = events.length
    const check = () => {
      const after = events.slice(seen)
      if (after.includes('ERROR')) reject(new Error('the watched build failed'))
      else if (after.includes('END')) resolve()
      else waiters.push(check)
    }
    check()
  })
}

/**
 * The next build that ends with the watcher idle: Rollup's watcher may start another build right
 * after an END (a change it saw while building), and running the output while that one rewrites
 * it reads half-written artifacts. So after an END it waits a moment and, if a build started
 * meanwhile, waits for that one too.
 */
async function settledBuild(): Promise<void> {
  await nextBuild()
  for (;;) {
    const seen = events.length
    await new Promise((resolve) => setTimeout(resolve, 500))
    if (!events.slice(seen).some((code) => code === 'START' || code === 'BUNDLE_START')) return
    if (!events.slice(seen).includes('END')) await nextBuild()
  }
}

async function runOutput(): Promise<unknown> {
  const { code, stdout, stderr } = await runNode(join(work, 'dist', 'main.mjs'), ['Ada'], { cwd: work })
  expect(stderr).toBe('')
  expect(code).toBe(0)
  return (JSON.parse(stdout.trim()) as { greet: { result: unknown } }).greet.result
}

beforeAll(async () => {
  work = deploymentDir('capsule-vite-watch')
  cpSync(APP, join(work, 'app'), { recursive: true })
  const [{ build }, { default: capsule }] = await Promise.all([import('vite'), import('unplugin-capsule/vite')])
  const root = join(work, 'app')
  const first = nextBuild()
  watcher = (await build({
    root, configFile: false, logLevel: 'silent',
    plugins: [capsule({ cacheDir: CACHE_DIR })],
    build: {
      ssr: join(root, 'main.ts'), outDir: join(work, 'dist'), emptyOutDir: true, target: 'node20', watch: {},
      rolldownOptions: { output: { entryFileNames: '[name].mjs' }, checks: { pluginTimings: false } },
    },
  })) as unknown as RollupWatcher
  watcher.on('event', (event) => {
    events.push(event.code)
    if ('result' in event && event.result) void event.result.close()
    const waiting = waiters
    waiters = []
    for (const check of waiting) check()
  })
  await first
}, 300_000)

afterAll(async () => {
  await watcher?.close()
  rmSync(work, { recursive: true, force: true })
})

describe('vite build --watch', () => {
  it('rebuilds after an edit of a task module, and the output runs the new code', async () => {
    expect(await runOutput()).toBe('Hello, Ada!')
    const file = join(work, 'app', 'tasks', 'greet.capsule.ts')
    const rebuilt = settledBuild()
    writeFileSync(file, readFileSync(file, 'utf8').replace("process.env.GREETING ?? 'Hello'", "'Bonjour'"))
    await rebuilt
    expect(await runOutput()).toBe('Bonjour, Ada!')
  }, 300_000)

  it('rebuilds after an edit of a file the task module imports', async () => {
    const file = join(work, 'app', 'tasks', 'punctuate.ts')
    const before = readFileSync(file, 'utf8')
    const rebuilt = settledBuild()
    writeFileSync(file, before.replace('`${text}!`', '`${text}?!`'))
    expect(readFileSync(file, 'utf8')).not.toBe(before)
    await rebuilt
    expect(await runOutput()).toBe('Bonjour, Ada?!')
  }, 300_000)
})
