// Puts a used sandbox back to exactly what a fresh instance would be, in place: the engine's
// linear memory (the snapshot's non-zero runs copied back, the rest zeroed — pages never
// written are skipped unread where Linux's /proc tells them, shared/written-pages.ts), its mutable
// globals (stack pointer, ...), the WASI adapter's globals (its stack and state pointers point
// into the engine heap a restore just wiped) and jco's JS-side state (handle tables emptied).
// It refuses — and the caller makes a fresh instance instead — whenever it cannot vouch for
// that: memory grown past the snapshot, glue not idle (a task, borrow, lock or trap left), or a
// glue without the build-time hook. Traps and unclean throws are refused before it is asked.
import { resetTaskMemory, restoreGlobals, WASM_PAGE, type TaskData } from '../formats/task-data.ts'
import type { GlueHook } from '../formats/glue-hook.ts'

export interface ResettableState {
  memory: WebAssembly.Memory
  engine: WebAssembly.Instance
  snapshot: TaskData
  /** The adapters' mutable globals with the values they had right after instantiation. */
  adapterGlobals: [WebAssembly.Global, number | bigint][]
  /** The patched glue's hook; undefined when the glue was not patched (never reset then). */
  glue: GlueHook | undefined
  /** The memory's pages ever written (1) or not (0), when that can be told: the others are zero. */
  writtenPages: () => Uint8Array | undefined
}

export type ResetRefusal = 'unpatched-glue' | 'memory-grew' | 'glue-busy'

/** Resets the sandbox and answers null, or names why it cannot be reset. */
export function resetInPlace(state: ResettableState): ResetRefusal | null {
  if (!state.glue) return 'unpatched-glue'
  if (state.memory.buffer.byteLength !== state.snapshot.memoryPages * WASM_PAGE) return 'memory-grew'
  if (!state.glue.idle()) return 'glue-busy'
  resetTaskMemory(state.memory, state.snapshot, state.writtenPages())
  restoreGlobals(state.engine, state.snapshot)
  for (const [global, value] of state.adapterGlobals) global.value = value
  state.glue.reset()
  return null
}
