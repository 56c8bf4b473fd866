// First runJavaScript() call in a fresh process (acceptance: well under 1 s): five fresh Node
// processes, each in an empty temp folder (no compile cache anywhere near), import the built
// runtime and run one snippet. Prints each run and the medians of import + first call, and of
// process spawn → exit, plus the process's CPU time (all threads) until the answer, which a busy
// machine inflates far less than wall time.
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const RUNS = 5
const runtime = pathToFileURL(fileURLToPath(new URL('../dist/runtime.mjs', import.meta.url))).href
const child = `
const started = performance.now()
const { runJavaScript } = await import(${JSON.stringify(runtime)})
const imported = performance.now()
const envelope = await runJavaScript('[1, 2, 3].map((x) => x * 2)')
const answered = performance.now()
if (JSON.stringify(envelope.result) !== '[2,4,6]') throw new Error('unexpected answer: ' + JSON.stringify(envelope))
const cpu = process.cpuUsage()
process.stdout.write(JSON.stringify({ importMs: imported - started, callMs: answered - imported, cpuMs: (cpu.user + cpu.system) / 1000 }))
`

function once() {
  const cwd = mkdtempSync(join(tmpdir(), 'capsule-bench-first-call-'))
  // A file, not `node --input-type=module -e`: worker threads inherit execArgv, and that flag fails them.
  const script = join(cwd, 'first-call.mjs')
  writeFileSync(script, child)
  const spawned = performance.now()
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [script], { cwd }, (error, stdout) => {
      const wallMs = performance.now() - spawned
      rmSync(cwd, { recursive: true, force: true })
      if (error) reject(error)
      else resolve({ ...JSON.parse(stdout), wallMs })
    })
  })
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const ms = (value) => `${value.toFixed(0)} ms`

export async function firstCallBench() {
  const runs = []
  for (let index = 0; index < RUNS; index++) runs.push(await once())
  console.log('\nrunJavaScript, first call in a fresh process (5 processes):')
  for (const run of runs) console.log(`  import ${ms(run.importMs)} + first call ${ms(run.callMs)} = ${ms(run.importMs + run.callMs)}  (spawn → exit ${ms(run.wallMs)}; CPU time of the process, all threads, until the answer ${ms(run.cpuMs)})`)
  console.log(`  median import + first call: ${ms(median(runs.map((run) => run.importMs + run.callMs)))}; median spawn → exit: ${ms(median(runs.map((run) => run.wallMs)))}; median CPU time: ${ms(median(runs.map((run) => run.cpuMs)))}`)
  console.log(`  (machine load average now: ${(await import('node:os')).loadavg()[0].toFixed(1)} on ${(await import('node:os')).availableParallelism()} cores)`)
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await firstCallBench()
