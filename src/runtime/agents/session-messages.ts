// Messages between a session (main thread) and its dedicated session worker.
import type { AttemptOutcome, CallContext, Mount } from '../messages.ts'
import type { ResolvedPolicy } from '../../options/policy.ts'

/** Makes the session's one sandbox: the engine's compiled modules and the snippet's snapshot. */
export interface SessionOpen {
  type: 'open'
  engineDir: string
  engineKey: string
  modules: Map<string, WebAssembly.Module>
  moduleDir: string
  /** Memory cap of the session's sandbox, bytes (null: wasm32 maximum). */
  ram: number | null
}

export interface SessionRun {
  type: 'run'
  id: number
  root: string
  argsJson: string
  context: CallContext
  policy: ResolvedPolicy
  mounts: Mount[]
}

export type SessionRequest = SessionOpen | SessionRun

export type SessionReply =
  | { type: 'started'; id: number }
  /** `lost`: the run ended the sandbox (a trap, fuel or memory): it must never run again. */
  | { type: 'done'; id: number; outcome: AttemptOutcome; lost: boolean }
