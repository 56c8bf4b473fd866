// One MCP tool per task of a manifest (or of compiled task modules): named after the task (the
// module's name is prefixed when two modules share a task name), described by the task's JSDoc,
// with the input schema derived from its parameter types (carried in the manifest).
import { basename } from 'node:path'
import type { RunOptions } from '../runtime/run-options.ts'
import { argumentsFor, ARGS_INPUT_SCHEMA, type TaskSignature } from '../runtime/task-signature.ts'
import type { Envelope } from '../types.ts'
import { toolName, type CapsuleTool } from './tool.ts'

export interface TaskToolEntry {
  /** The module's source path, for names and descriptions. */
  source: string
  task: string
  signature?: TaskSignature
  /** Which task a run selects: `{ manifest, task: 'module#task' }` or `{ file, task }`. */
  select: Pick<RunOptions, 'manifest' | 'file' | 'task'>
}

export type RunTask = (options: RunOptions) => Promise<Envelope>

function moduleStem(source: string): string {
  return basename(source).replace(/\.capsule\.[cm]?[jt]s$/, '').replace(/\.[^.]+$/, '')
}

export function taskTools(entries: TaskToolEntry[], run: RunTask, reserved: string[] = []): CapsuleTool[] {
  const counts = new Map<string, number>()
  for (const entry of [...entries.map((item) => item.task), ...reserved]) counts.set(entry, (counts.get(entry) ?? 0) + 1)
  return entries.map((entry) => {
    const name = toolName((counts.get(entry.task) ?? 0) > 1 ? `${moduleStem(entry.source)}_${entry.task}` : entry.task)
    const signature = entry.signature
    return {
      name,
      description: signature?.description ?? `Runs the task "${entry.task}" of ${entry.source} in a capsule sandbox.`,
      inputSchema: signature?.inputSchema ?? ARGS_INPUT_SCHEMA,
      async call(input, signal) {
        const args = argumentsFor(signature, input)
        if (typeof args === 'string') return args
        return run({ ...entry.select, args, signal })
      },
    }
  })
}
