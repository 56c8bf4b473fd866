// The shape the runtime runs: a compiled task module (its component on disk) and its tasks
// with their resolved policies. Written by compile/ or read from a manifest; the policies
// here are the only ones the runtime enforces — never what the guest says.
import type { ResolvedPolicy } from '../options/policy.ts'
import type { TaskSignature } from './task-signature.ts'

export interface TaskEntry {
  /** The export that holds the task (`default` for a default export). */
  exportName: string
  policy: ResolvedPolicy
  /** Description and input schema for tool callers (`capsule mcp`), when known. */
  signature?: TaskSignature
}

/** The shared, fuel-instrumented engine: glue, adapter modules and the engine itself. */
export interface EngineArtifact {
  /** Absolute path of the engine directory. */
  dir: string
  /** File names in `dir` the runtime loads (what a build emits and hashes). */
  files: string[]
  /** sha256 of the uninstrumented engine: a module's snapshot must name the same key. */
  key: string
}

export interface ModuleArtifact {
  /** Absolute path of the directory holding this module's snapshot. */
  dir: string
  /** File names in `dir` that make up the module's artifact (what a build emits and hashes). */
  files: string[]
  engine: EngineArtifact
  /** Absolute path of the task module's source, for messages. */
  source: string
  /** Project root: relative file grants and `.env` resolve against it. */
  root: string
  tasks: TaskEntry[]
}

/** Finds a task by its `name` option, else by its export name. Never falls back to another task. */
export function findTaskEntry(artifact: ModuleArtifact, name: string): TaskEntry | undefined {
  return artifact.tasks.find((entry) => entry.policy.name === name)
    ?? artifact.tasks.find((entry) => entry.exportName === name)
}
