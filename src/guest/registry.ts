// The guest-side table of the module's task functions, filled by `task()` as the module loads.
// It only maps names to functions: the policy of each task lives on the host, never here.

export type TaskFunction = (...args: unknown[]) => unknown

const tasksByName = new Map<string, TaskFunction>()

export function registerTask(name: string, fn: TaskFunction): void {
  tasksByName.set(name, fn)
}

export function findTask(name: string): TaskFunction | undefined {
  return tasksByName.get(name)
}
