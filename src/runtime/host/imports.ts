// The `capsule:sandbox/host` imports handed to every instance. Each one reads the current
// call's state, so one pre-made instance can serve whichever call comes next. Every capability
// is checked on this side of the sandbox, against the policy the runtime was given.
import type { CallState } from './call-state.ts'
import { fileImports } from './files.ts'
import { httpImports } from './http.ts'

export type SubtaskCaller = (callId: number, name: string, argsJson: string, fuelLeft: number | null) => string

export function hostImports(current: () => CallState, callSubtask: SubtaskCaller): Record<string, unknown> {
  return {
    log: (level: string, message: string) => current().log(level, message),
    ...fileImports(current),
    ...httpImports(current),
    callTask: (name: string, argsJson: string) => {
      const state = current()
      return callSubtask(state.callId, name, argsJson, state.fuelLeft())
    },
  }
}
