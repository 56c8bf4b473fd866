// A blocking bridge from the sandbox worker (whose host imports must be synchronous) to the
// HTTP I/O worker: post one hop, sleep in Atomics.wait on a shared counter (always bounded),
// then take the answer with receiveMessageOnPort. The I/O worker is spawned lazily, unref'd,
// and replaced if it ever fails to answer in time.

import { MessageChannel, receiveMessageOnPort, type Worker, type MessagePort } from 'node:worker_threads'
import { startWorker } from '../worker-exec-argv.ts'
import { HTTP_IO_WORKER_SOURCE } from './http-io-worker-source.ts'

export interface HopRequest {
  method: string
  url: string
  /** The checked addresses to connect to (the URL's name is kept for Host and TLS). */
  addresses?: string[]
  headers: [string, string][]
  body?: Uint8Array
  maxBodyBytes: number
  timeoutMs: number
}

export type HopResponse =
  | { ok: true, status: number, statusText: string, headers: [string, string][], body: Uint8Array }
  | { ok: false, code: string, message: string }

export type LookupAnswer = { ok: true, addresses: string[] } | { ok: false, code: string, message: string }

export interface SyncHopChannel {
  /** Performs one HTTP exchange, blocking the calling thread until it answers or times out. */
  send(hop: HopRequest): HopResponse
  /** Resolves a host name to all its addresses (DNS, on the I/O worker), blocking likewise. */
  lookup(hostname: string, timeoutMs: number): LookupAnswer
  /** Ends the I/O worker (a later `send` spawns a new one). */
  close(): Promise<void>
}

/** Extra time the caller grants the I/O worker beyond the hop's own timeout. */
const ANSWER_GRACE_MS = 2_000

interface IoWorker { worker: Worker, port: MessagePort, counter: Int32Array }

function spawnIoWorker(): IoWorker {
  const signal = new SharedArrayBuffer(4)
  const { port1, port2 } = new MessageChannel()
  const worker = startWorker(HTTP_IO_WORKER_SOURCE, {
    eval: true,
    workerData: { port: port2, signal },
    transferList: [port2],
  })
  worker.on('error', () => {}) // a dead worker is noticed as a missing answer
  worker.unref()
  port1.unref()
  return { worker, port: port1, counter: new Int32Array(signal) }
}

interface Answer { id: number, ok: boolean, [key: string]: unknown }

/** A channel whose I/O worker starts on the first hop. */
export function createSyncHopChannel(): SyncHopChannel {
  let io: IoWorker | undefined
  let nextId = 0

  function receive(current: IoWorker, id: number): Answer | undefined {
    for (;;) {
      const message = receiveMessageOnPort(current.port)
      if (!message) return undefined
      const answer = message.message as Answer
      if (answer?.id === id) return answer // older ids are answers nobody waits for any more
    }
  }

  /** Posts one job and blocks (in bounded waits) until its answer or the deadline. */
  function exchange(job: Record<string, unknown>, timeoutMs: number, transfer: ArrayBuffer[] = []): Answer {
    const current = io ??= spawnIoWorker()
    const id = ++nextId
    current.port.postMessage({ ...job, id }, transfer)
    const deadline = Date.now() + timeoutMs + ANSWER_GRACE_MS
    for (;;) {
      const seen = Atomics.load(current.counter, 0)
      const answer = receive(current, id)
      if (answer) return answer
      const remaining = deadline - Date.now()
      if (remaining <= 0) {
        io = undefined
        void current.worker.terminate()
        return { id, ok: false, code: 'ETIMEDOUT', message: 'the HTTP I/O worker did not answer in time' }
      }
      Atomics.wait(current.counter, 0, seen, remaining)
    }
  }

  return {
    send(hop) {
      const body = hop.body ? hop.body.slice() : undefined // compact copy, transferred
      const answer = exchange({ ...hop, body }, hop.timeoutMs, body ? [body.buffer] : [])
      if (!answer.ok) return { ok: false, code: String(answer.code), message: String(answer.message) }
      return {
        ok: true,
        status: answer.status as number,
        statusText: answer.statusText as string,
        headers: answer.headers as [string, string][],
        body: answer.body as Uint8Array,
      }
    },
    lookup(hostname, timeoutMs) {
      const answer = exchange({ op: 'lookup', hostname, timeoutMs }, timeoutMs)
      if (!answer.ok) return { ok: false, code: String(answer.code), message: String(answer.message) }
      return { ok: true, addresses: (answer.addresses as unknown[]).map(String) }
    },
    async close() {
      const current = io
      io = undefined
      if (current) {
        current.port.close()
        await current.worker.terminate()
      }
    },
  }
}
