// The worker side of a sub-task call: ask the main thread to run a task in another worker,
// then block on a shared counter (in bounded slices, never forever in one wait) until the
// envelope arrives on this worker's private port. The main thread decides the sub-task's
// policy; the guest only names the task and passes JSON arguments.
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads'

export interface SubtaskWiring {
  port: MessagePort
  signal: SharedArrayBuffer
  /** Posts the request to the main thread. */
  post(message: SubtaskRequestMessage): void
}

export interface SubtaskRequestMessage {
  type: 'subtask'
  id: number
  callId: number
  name: string
  argsJson: string
  /** Fuel the caller had left when it asked (a sub-task never gets more). */
  fuelLeft: number | null
}

export interface SubtaskAnswer {
  id: number
  envelopeJson: string
}

const SLICE_MS = 1_000
let nextId = 1

export function createSubtaskCaller(wiring: SubtaskWiring) {
  const counter = new Int32Array(wiring.signal)
  return (callId: number, name: string, argsJson: string, fuelLeft: number | null): string => {
    const id = nextId++
    const seen = Atomics.load(counter, 0)
    wiring.post({ type: 'subtask', id, callId, name, argsJson, fuelLeft })
    for (let observed = seen; ;) {
      Atomics.wait(counter, 0, observed, SLICE_MS)
      observed = Atomics.load(counter, 0)
      for (let message = receiveMessageOnPort(wiring.port); message; message = receiveMessageOnPort(wiring.port)) {
        const answer = message.message as SubtaskAnswer
        if (answer.id === id) return answer.envelopeJson
      }
    }
  }
}
