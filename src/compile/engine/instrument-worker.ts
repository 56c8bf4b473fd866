// Worker thread entry of the componentize child process: instruments engines for fuel with
// binaryen (instrument-fuel.ts), one at a time, while the child's main thread goes on splicing
// and wrapping. binaryen (15 MB of JS with its wasm inside) loads as soon as the thread starts,
// so its parse and compile happen during the splice, on the core the splice leaves idle.
import { parentPort } from 'node:worker_threads'
import { errorMessage } from '../../shared/error-message.ts'
import { instrumentFuel, type InstrumentStats } from './instrument-fuel.ts'

export interface InstrumentRequest {
  id: number
  engine: Uint8Array
}

export type InstrumentReply =
  | { kind: 'ready'; loadMs: number }
  | { kind: 'done'; id: number; wasm: Uint8Array; stats: InstrumentStats }
  | { kind: 'failed'; id: number; message: string }

const post = (reply: InstrumentReply, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(reply, transfer)

// performance.now() counts from this thread's start: the time binaryen took to load.
post({ kind: 'ready', loadMs: Math.round(performance.now()) })

parentPort!.on('message', ({ id, engine }: InstrumentRequest) => {
  try {
    const { wasm, stats } = instrumentFuel(engine)
    const own = wasm.byteOffset === 0 && wasm.byteLength === wasm.buffer.byteLength
    post({ kind: 'done', id, wasm, stats }, own ? [wasm.buffer as ArrayBuffer] : [])
  } catch (error) {
    post({ kind: 'failed', id, message: errorMessage(error) })
  }
})
