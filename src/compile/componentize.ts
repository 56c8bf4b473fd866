// Runs componentize jobs in child processes, at most two at a time (each peaks ~770 MB).
import { fork } from 'node:child_process'
import type { ComponentizeJob, ComponentizeResult } from './componentize-worker.ts'

const MAX_PARALLEL = 2
let running = 0
const waiting: (() => void)[] = []

async function slot(): Promise<() => void> {
  if (running >= MAX_PARALLEL) await new Promise<void>((resolve) => waiting.push(resolve))
  running++
  return () => {
    running--
    waiting.shift()?.()
  }
}

export async function componentizeInWorker(job: ComponentizeJob): Promise<ComponentizeResult> {
  const release = await slot()
  try {
    return await new Promise<ComponentizeResult>((resolve, reject) => {
      const child = fork(new URL('./componentize-worker.mjs', import.meta.url), [], {
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        execArgv: [],
      })
      let stderr = ''
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString()).slice(-4_000)
      })
      let settled = false
      child.once('message', (reply: { ok: true; result: ComponentizeResult } | { ok: false; message: string }) => {
        settled = true
        if (reply.ok) resolve(reply.result)
        else reject(new Error(`componentize failed: ${reply.message}`))
      })
      child.once('error', (error) => {
        settled = true
        reject(error)
      })
      child.once('exit', (code, signal) => {
        if (!settled) reject(new Error(`componentize process exited (${signal ?? code}): ${stderr.trim()}`))
      })
      child.send(job)
    })
  } finally {
    release()
  }
}
