// The `capsule:sandbox/host` imports handed to every instance. Each one reads the current
// call's state, so one pre-made instance can serve whichever call comes next. Every capability
// is checked on this side of the sandbox, against the policy the runtime was given.
import type { CallState } from './call-state.ts'
import { fileImports } from './files.ts'
import { httpImports } from './http.ts'

/** The fuel a sub-task's envelope (made by this runtime, not the guest) says it consumed. */
function subtaskFuel(envelopeJson: string): number {
  try {
    const fuel = (JSON.parse(envelopeJson) as { execution?: { fuel_consumed?: unknown } }).execution?.fuel_consumed
    return typeof fuel === 'number' && Number.isFinite(fuel) && fuel > 0 ? fuel : 0
  } catch {
    return 0
  }
}

export type SubtaskCaller = (callId: number, name: string, argsJson: string, fuelLeft: number | null) => string

export function hostImports(current: () => CallState, callSubtask: SubtaskCaller): Record<string, unknown> {
  return {
    log: (level: string, message: string) => current().log(level, message),
    ...fileImports(current),
    ...httpImports(current),
    callTask: (name: string, argsJson: string) => {
      const state = current()
      const envelopeJson = callSubtask(state.callId, name, argsJson, state.fuelLeft())
      // The sub-task's fuel comes out of the caller's budget: spending it all ends the caller
      // with fuel_exhausted at its next fuel check, and its fuel_consumed includes it.
      state.spendFuel(subtaskFuel(envelopeJson))
      return envelopeJson
    },
  }
}
