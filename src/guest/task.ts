// `task()` as seen inside the sandbox: the bundler aliases 'unplugin-capsule' here.
// Defining a task registers its function; calling a task from inside another task asks the
// host to run it as a sub-task in a fresh sandbox (the host decides its policy).
import { callTask } from 'capsule:sandbox/host@0.1.0'
import { registerTask, type TaskFunction } from './registry.ts'

interface GuestTaskOptions { name: string }

export function task(options: GuestTaskOptions, fn: TaskFunction): (...args: unknown[]) => Promise<unknown> {
  registerTask(options.name, fn)
  return async (...args: unknown[]) => JSON.parse(callTask(options.name, JSON.stringify(args))) as unknown
}

export function defineConfig<T>(config: T): T {
  return config
}
