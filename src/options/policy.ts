// The resolved form of a task's options: what the manifest stores and the runtime enforces.

export type ResolvedFileMode = 'ro' | 'rw'

export interface FileGrant {
  /** Directory relative to the project root, POSIX separators, no `..`, no leading `./`. */
  path: string
  mode: ResolvedFileMode
}

export interface ResolvedPolicy {
  /** The task's `name` option. */
  name: string
  /** Exact fuel budget (compute level mapped to units). */
  fuel: number
  /** Memory cap in bytes; null = unlimited (wasm32 maximum). */
  ram: number | null
  /** Wall-clock timeout in ms; null = none. */
  timeout: number | null
  /** 0..10 */
  maxRetries: number
  files: FileGrant[]
  /** Normalized host rules: lowercase, no trailing dot, `*` or `*.x.com`, optional `:port`. */
  hosts: string[]
  /** Environment variable names visible to the task. */
  env: string[]
}
