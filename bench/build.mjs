// `npm run bench:build`: how long a task module takes to become runnable, through the public
// runtime API (`createRuntime().run({ file })`), as a user's dev loop meets it:
//  1. cold build of a new module, the shared engine cached (a new process)
//  2. rebuild after a one-line edit, in a new process (median of 5)
//  3. rebuild after a one-line edit, in a long-lived process (median of 5)
//  4. `vite build --watch`: from an edit of a task module to the rebuilt output (median of 5)
//  5. with `--first`: the first build ever (empty cache): the kit and the engine installed from the
//     package (it ships its toolchain's), and as for another toolchain (CAPSULE_BUILD_TOOLCHAIN=1:
//     built from source, in a child process)
// Times are wall clock to the answered envelope; the CPU time of the new processes is shown too,
// since this machine may be shared. Needs `npm run build` first (the script says so).
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const runtimeEntry = join(root, 'dist', 'runtime.mjs')
if (!existsSync(runtimeEntry)) throw new Error('run `npm run build` first')
const projectCache = join(root, 'node_modules', '.cache', 'capsule')
const RUNS = 5

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}
const ms = (value) => `${Math.round(value)} ms`

/** A task module whose greeting differs per version: each edit is a real change of the bundle. */
function moduleSource(version) {
  return [
    `import { task } from 'unplugin-capsule'`,
    `const greeting = 'Hello #${version}'`,
    `export const main = task({ name: 'main' }, (name: string) => \`\${greeting}, \${name}!\`)`,
    '',
  ].join('\n')
}

/** One new Node process: import the runtime, run the file, print wall and CPU ms as JSON. */
function runInNewProcess(file, cacheDir, env = {}) {
  const script = `
    const started = performance.now()
    const { createRuntime } = await import(${JSON.stringify(pathToFileURL(runtimeEntry).href)})
    const runtime = createRuntime({ cwd: ${JSON.stringify(join(file, '..'))}, cacheDir: ${JSON.stringify(cacheDir)} })
    const envelope = await runtime.run({ file: ${JSON.stringify(file)}, args: ['bench'] })
    if (!envelope.success) throw new Error(JSON.stringify(envelope.error))
    const wall = performance.now() - started
    await runtime.close()
    const cpu = process.cpuUsage()
    console.log(JSON.stringify({ wall, cpu: (cpu.user + cpu.system) / 1000, result: envelope.result }))`
  const scriptFile = join(file, '..', 'run-once.mjs')
  writeFileSync(scriptFile, script)
  const started = performance.now()
  const out = execFileSync(process.execPath, [scriptFile], { encoding: 'utf8', env: { ...process.env, ...env } })
  return { ...JSON.parse(out.trim().split('\n').pop()), process: performance.now() - started }
}

async function main() {
  const project = mkdtempSync(join(tmpdir(), 'capsule-bench-build-'))
  const file = join(project, 'edit.capsule.ts')
  const stamp = Date.now()
  let version = 0
  const edit = () => writeFileSync(file, moduleSource(`${stamp}-${version++}`))
  const lines = []
  try {
    // Make sure the kit and the engine are cached (a build of anything does it).
    edit()
    runInNewProcess(file, projectCache)

    edit()
    const cold = runInNewProcess(file, projectCache)
    lines.push(`cold build, engine cached   to the envelope ${ms(cold.wall)} (process start to exit ${ms(cold.process)}, CPU ${ms(cold.cpu)} in the main process; the snapshot runs in a child); goal ≤ 2 s`)

    const fresh = []
    for (let i = 0; i < RUNS; i++) {
      edit()
      fresh.push(runInNewProcess(file, projectCache))
    }
    lines.push(`one-line edit, new process  to the envelope median ${ms(median(fresh.map((r) => r.wall)))} (process start to exit ${ms(median(fresh.map((r) => r.process)))}, CPU ${ms(median(fresh.map((r) => r.cpu)))} in the main process); goal ≤ 1 s`)

    const { createRuntime } = await import(pathToFileURL(runtimeEntry).href)
    const runtime = createRuntime({ cwd: project, cacheDir: projectCache })
    try {
      edit()
      await runtime.run({ file, args: ['warm'] })
      const warm = []
      for (let i = 0; i < RUNS; i++) {
        edit()
        const started = performance.now()
        const envelope = await runtime.run({ file, args: ['warm'] })
        warm.push(performance.now() - started)
        if (!envelope.result?.includes(`#${stamp}-${version - 1}`)) throw new Error(`stale result after an edit: ${JSON.stringify(envelope)}`)
      }
      lines.push(`one-line edit, long-lived   median ${ms(median(warm))} (min ${ms(Math.min(...warm))}, max ${ms(Math.max(...warm))}); goal ≤ 0.5 s`)
    } finally {
      await runtime.close()
    }

    lines.push(await viteWatchLine(project, moduleSource, stamp))

    if (process.argv.includes('--first')) {
      for (const [label, env, note] of [
        ['first build ever          ', {}, 'the shipped kit and engine installed'],
        ['first build, from source  ', { CAPSULE_BUILD_TOOLCHAIN: '1' }, 'another toolchain: the kit and engine built in a child process'],
      ]) {
        const emptyCache = mkdtempSync(join(tmpdir(), 'capsule-bench-cache-'))
        try {
          edit()
          const first = runInNewProcess(file, emptyCache, env)
          lines.push(`${label}  new process ${ms(first.process)} (CPU ${ms(first.cpu)} in the main process; ${note}); goal ≤ 12 s`)
        } finally {
          rmSync(emptyCache, { recursive: true, force: true })
        }
      }
    }
  } finally {
    rmSync(project, { recursive: true, force: true })
  }
  console.log(`unplugin-capsule build bench (Node ${process.version}; medians of ${RUNS})\n`)
  for (const line of lines) console.log(line)
}

/** `vite build --watch` on a one-module app: edit → END of the rebuild, median of RUNS edits. */
async function viteWatchLine(project, source, stamp) {
  const app = join(project, 'vite-app')
  mkdirSync(join(app, 'node_modules'), { recursive: true })
  symlinkSync(root, join(app, 'node_modules', 'unplugin-capsule'), 'dir')
  const file = join(app, 'task.capsule.ts')
  writeFileSync(file, source(`${stamp}-vite-0`))
  writeFileSync(join(app, 'main.ts'), `import { main } from './task.capsule.ts'\nconsole.log(JSON.stringify(await main('vite')))\n`)
  const [{ build }, { default: capsule }] = await Promise.all([import('vite'), import(pathToFileURL(join(root, 'dist', 'vite.mjs')).href)])
  let onEnd = () => {}
  const watcher = await build({
    root: app, configFile: false, logLevel: 'silent',
    plugins: [capsule({ cacheDir: projectCache })],
    build: { ssr: join(app, 'main.ts'), outDir: join(app, 'dist'), target: 'node20', watch: {}, rolldownOptions: { checks: { pluginTimings: false } } },
  })
  watcher.on('event', (event) => {
    if (event.result) void event.result.close()
    if (event.code === 'END' || event.code === 'ERROR') onEnd(event.code)
  })
  const rebuilt = () => new Promise((resolve, reject) => (onEnd = (code) => (code === 'END' ? resolve() : reject(new Error('the watched build failed')))))
  try {
    await rebuilt()
    const times = []
    for (let i = 1; i <= RUNS; i++) {
      const done = rebuilt()
      const started = performance.now()
      writeFileSync(file, source(`${stamp}-vite-${i}`))
      await done
      times.push(performance.now() - started)
    }
    return `vite build --watch, edit    median ${ms(median(times))} from the edit to the rebuilt output (min ${ms(Math.min(...times))}, max ${ms(Math.max(...times))})`
  } finally {
    await watcher.close()
  }
}

await main()
