// Worker thread entry: takes one module's snapshot at a time (take-snapshot.ts) and answers the
// encoded task.data. It runs off the caller's thread so a wall-clock budget can stop top-level
// code that never ends (the host terminates this worker) and so a dev server stays responsive.
import { parentPort } from 'node:worker_threads'
import { encodeTaskData } from '../../formats/task-data.ts'
import { SnapshotError, takeSnapshot, type SnapshotKit } from './take-snapshot.ts'
import { errorMessage } from '../../shared/error-message.ts'

export interface SnapshotRequest {
  id: number
  kit: SnapshotKit
  engineKey: string
  code: string
}

export type SnapshotReply =
  | { id: number; ok: true; taskData: Uint8Array; memoryPages: number; timings: { snapshot: number; encode: number } }
  | { id: number; ok: false; message: string; output: string; internal?: true }

parentPort!.on('message', (request: SnapshotRequest) => {
  let reply: SnapshotReply
  try {
    const started = performance.now()
    const snapshot = takeSnapshot(request.kit, request.code)
    const taken = performance.now()
    const taskData = encodeTaskData(request.engineKey, snapshot.memoryPages, snapshot.globals, snapshot.segments)
    const timings = { snapshot: Math.round(taken - started), encode: Math.round(performance.now() - taken) }
    reply = { id: request.id, ok: true, taskData, memoryPages: snapshot.memoryPages, timings }
  } catch (error) {
    reply = error instanceof SnapshotError
      ? { id: request.id, ok: false, message: error.message, output: error.output }
      : { id: request.id, ok: false, message: errorMessage(error), output: '', internal: true }
  }
  parentPort!.postMessage(reply, reply.ok ? [reply.taskData.buffer as ArrayBuffer] : [])
})
