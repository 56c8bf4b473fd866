// The componentize child's instrumentation thread (instrument-worker.ts), seen from its main
// thread: started first, so binaryen loads while the splice runs; handed an engine as soon as
// its code is known (see early-engine.ts); answers the instrumented bytes.
import { Worker } from 'node:worker_threads'
import type { InstrumentStats } from './instrument-fuel.ts'
import type { InstrumentReply, InstrumentRequest } from './instrument-worker.ts'

export interface InstrumentedEngine {
  wasm: Uint8Array
  stats: InstrumentStats
}

export interface InstrumentThread {
  /** How long binaryen took to load, once it has. */
  loadMs(): number | undefined
  instrument(engine: Uint8Array): Promise<InstrumentedEngine>
  close(): Promise<void>
}

export function startInstrumentThread(): InstrumentThread {
  const worker = new Worker(new URL('./instrument-worker.mjs', import.meta.url))
  const pending = new Map<number, { resolve: (engine: InstrumentedEngine) => void; reject: (error: Error) => void }>()
  let nextId = 0
  let broken: Error | undefined
  let loadMs: number | undefined
  const fail = (error: Error) => {
    broken ??= error
    for (const { reject } of pending.values()) reject(error)
    pending.clear()
  }
  worker.on('message', (reply: InstrumentReply) => {
    if (reply.kind === 'ready') {
      loadMs = reply.loadMs
      return
    }
    const request = pending.get(reply.id)
    pending.delete(reply.id)
    if (reply.kind === 'done') request?.resolve({ wasm: reply.wasm, stats: reply.stats })
    else request?.reject(new Error(`instrumenting the engine for fuel failed: ${reply.message}`))
  })
  worker.on('error', (error) => fail(new Error(`the instrumentation thread failed: ${error.message}`)))
  worker.on('exit', (code) => fail(new Error(`the instrumentation thread exited (${code})`)))
  return {
    loadMs: () => loadMs,
    instrument(engine) {
      if (broken) return Promise.reject(broken)
      const id = nextId++
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject })
        const request: InstrumentRequest = { id, engine }
        worker.postMessage(request)
      })
    },
    async close() {
      await worker.terminate()
    },
  }
}
