// Everything one call accumulates on the host side: logs, requests, denials. A new one is made
// per attempt, so nothing leaks from one call into the next.
import type { HostRequest, LogEntry, LogLevel } from '../../types.ts'
import type { ResolvedPolicy } from '../../options/policy.ts'
import { formatBytes } from '../../options/ram.ts'
import type { Mount } from '../messages.ts'
import { createFileGate, type FileGate } from '../capabilities/files.ts'

const MAX_LOG_LINES = 1_000
const MAX_LOG_BYTES = 1_048_576

const LEVELS = new Set<LogLevel>(['debug', 'info', 'log', 'warn', 'error'])

export class CallState {
  readonly logs: LogEntry[] = []
  readonly hostRequests: HostRequest[] = []
  /** How many capability requests the host refused during this call. */
  denials = 0
  private logBytes = 0
  private droppedLines = 0
  private fileGate: FileGate | undefined
  private readonly startedAt = performance.now()

  constructor(
    /** The runtime's id for this call (sub-task requests name their caller with it). */
    readonly callId: number,
    readonly policy: ResolvedPolicy,
    readonly root: string,
    readonly mounts: Mount[],
  ) {}

  /** The call's file gate, made on first use (most tasks never touch files). */
  files(): FileGate {
    this.fileGate ??= createFileGate({ root: this.root, grants: this.policy.files, mounts: this.mounts })
    return this.fileGate
  }

  /** Reads the sandbox's fuel counter (set once the sandbox exists). */
  fuelLeft: () => number | null = () => null

  /** Takes fuel out of the sandbox's counter (what its sub-tasks burned); below zero it traps. */
  spendFuel: (fuel: number) => void = () => {}

  /** Milliseconds left before the call's timeout, or null when it has none. */
  remainingMs(): number | null {
    return this.policy.timeout === null ? null : this.policy.timeout - (performance.now() - this.startedAt)
  }

  log(level: string, message: string): void {
    if (this.logs.length >= MAX_LOG_LINES || this.logBytes + message.length > MAX_LOG_BYTES) {
      this.droppedLines++
      return
    }
    this.logBytes += message.length
    this.logs.push({ level: LEVELS.has(level as LogLevel) ? (level as LogLevel) : 'log', message })
  }

  /** The logs with a closing note when the cap dropped lines. */
  finishLogs(): LogEntry[] {
    if (this.droppedLines > 0) {
      this.logs.push({ level: 'warn', message: `[capsule] ${this.droppedLines} log line(s) dropped (cap: ${MAX_LOG_LINES} lines, ${formatBytes(MAX_LOG_BYTES)})` })
      this.droppedLines = 0
    }
    return this.logs
  }
}
