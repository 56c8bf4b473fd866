// Runs the per-toolchain kit build (componentize-worker.ts) in a child process: it peaks near
// 1 GB and blocks for seconds (splicing, binaryen). Two answers come back: the kit (enough to
// snapshot modules: its files are on disk, all but kit.json) and, later, word that the
// instrumented engine and then kit.json are on disk.
import { fork } from 'node:child_process'
import type { KitJob, KitMessage } from './componentize-worker.ts'
import type { KitMeta } from './snapshot/kit-files.ts'

/** V8 flags of the child. Without concurrent marking: the splicer and jco grow their wasm memory
 * in small steps, and with it each step set off a full GC of its own (1,359 in one splice, against
 * 115 without): the splice took 3× as long. The flag changes no output byte. */
const CHILD_FLAGS = ['--no-concurrent-marking']

export interface KitBuild {
  kit: Promise<{ meta: KitMeta; timings: Record<string, number> }>
  engine: Promise<{ engineBuilt: boolean; instrumentMs: number; timings: Record<string, number> }>
}

function deferred<T>() {
  let resolve!: (value: T) => void
  let reject!: (error: Error) => void
  const promise = new Promise<T>((yes, no) => {
    resolve = yes
    reject = no
  })
  // Whoever awaits only one of the two answers must not leave the other's rejection unhandled.
  promise.catch(() => {})
  return { promise, resolve, reject }
}

export function buildKitInChild(job: KitJob): KitBuild {
  const kit = deferred<Awaited<KitBuild['kit']>>()
  const engine = deferred<Awaited<KitBuild['engine']>>()
  const fail = (error: Error) => {
    kit.reject(error)
    engine.reject(error)
  }
  const child = fork(new URL('./componentize-worker.mjs', import.meta.url), [], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    execArgv: CHILD_FLAGS,
  })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000)
  })
  let done = false
  child.on('message', (message: KitMessage) => {
    if (message.kind === 'kit') kit.resolve({ meta: message.meta, timings: message.timings })
    else if (message.kind === 'engine') {
      done = true
      engine.resolve({ engineBuilt: message.engineBuilt, instrumentMs: message.instrumentMs, timings: message.timings })
    } else {
      done = true
      fail(new Error(`building the shared engine failed: ${message.message}`))
    }
  })
  child.once('error', (error) => {
    done = true
    fail(error)
  })
  child.once('exit', (code, signal) => {
    if (!done) fail(new Error(`the engine build process exited (${signal ?? code}): ${stderr.trim()}`))
  })
  child.send(job)
  return { kit: kit.promise, engine: engine.promise }
}
