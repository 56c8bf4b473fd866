// createSession(options?): a stateful snippet sandbox for agents. Every run() of one session
// evaluates its code in the SAME sandbox (one instance in a dedicated worker, never reset), so
// globals and variables persist; sessions never share anything. Each session owns a temp
// workspace folder, mounted read-write as `workspace/`; importFile/exportFile copy files in and
// out of it. Limits apply to each run; a run that ends on its timeout, fuel or memory limit (or
// any trap) ends the sandbox, and later runs answer that the session was lost until reset().
import { mkdtempSync, realpathSync, rmSync } from 'node:fs'
import { copyFile, mkdir, realpath } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, join, relative, resolve, isAbsolute } from 'node:path'
import { normalizeRelative } from '../../options/files.ts'
import type { Envelope } from '../../types.ts'
import type { ModuleArtifact } from '../artifact.ts'
import { resolveEnv } from '../capabilities/env.ts'
import { failureEnvelope, makeEnvelope } from '../envelope.ts'
import { CapsuleError } from '../errors.ts'
import { manifestArtifact } from '../manifest.ts'
import type { Mount } from '../messages.ts'
import { snippetOrRefusal } from './prepare-snippet.ts'
import { SNIPPET_TASK, snippetManifest } from './snippet-artifact.ts'
import { snippetPolicy, type SnippetLimits } from './snippet-policy.ts'
import { SessionThread } from './session-thread.ts'
import { isPathInside } from '../../shared/path-inside.ts'

/** The guest directory the session's workspace is mounted at. */
export const WORKSPACE_GUEST_DIR = 'workspace'

export interface SessionOptions extends SnippetLimits {
  /** Root for `allowedFiles` and `.env` (default process.cwd()). */
  cwd?: string
}

export interface Session {
  /** The session's own workspace folder on the host (mounted read-write as `workspace/`). */
  readonly workspace: string
  /** Evaluates `code` in the session's sandbox; answers an envelope like runJavaScript. */
  run(code: string, options?: { signal?: AbortSignal }): Promise<Envelope>
  /** Copies a host file into the workspace (`guestPath` relative to it; default its base name). Answers the guest path. */
  importFile(hostPath: string, guestPath?: string): Promise<string>
  /** Copies a workspace file (`guestPath` relative to the workspace) to `hostPath`. Answers the host path. */
  exportFile(guestPath: string, hostPath: string): Promise<string>
  /** Drops the sandbox and its state (the workspace stays): the next run starts afresh. */
  reset(): Promise<void>
  /** Ends the sandbox and deletes the workspace. */
  close(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

let nextRunId = 1

export function createSession(options: SessionOptions = {}): Session {
  const cwd = resolve(options.cwd ?? process.cwd())
  const policy = { ...snippetPolicy(options, cwd, 'createSession', ['cwd']), name: SNIPPET_TASK }
  const workspace = realpathSync(mkdtempSync(join(tmpdir(), 'capsule-session-')))
  const mounts: Mount[] = [{ hostPath: workspace, guestPath: WORKSPACE_GUEST_DIR, mode: 'rw' }]
  let artifact: ModuleArtifact | undefined
  let thread: Promise<SessionThread> | undefined
  let lost: string | undefined
  let closed = false
  let queue: Promise<unknown> = Promise.resolve()

  const serialized = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work)
    queue = next.catch(() => {})
    return next
  }

  const ensureOpen = (what: string) => {
    if (closed) throw new CapsuleError('INVALID_RUN_OPTIONS', `session.${what}(): the session is closed`)
  }

  async function dropThread(): Promise<void> {
    const current = thread
    thread = undefined
    await (await current?.catch(() => undefined))?.terminate()
  }

  async function runNow(code: string, signal: AbortSignal | undefined): Promise<Envelope> {
    const startedAt = performance.now()
    if (closed) return failureEnvelope(SNIPPET_TASK, startedAt, { error_type: 'internal_error', message: 'the session was closed' })
    if (lost !== undefined) {
      return failureEnvelope(SNIPPET_TASK, startedAt, {
        error_type: 'internal_error',
        message: `the session was lost: ${lost}; its state is gone — call session.reset() to start afresh`,
      })
    }
    const prepared = await snippetOrRefusal(code, startedAt)
    if ('refusal' in prepared) return prepared.refusal
    const { script } = prepared
    artifact ??= manifestArtifact(snippetManifest(), SNIPPET_TASK, cwd).artifact
    const opened = artifact
    thread ??= SessionThread.open(opened, policy.ram)
    let session: SessionThread
    try {
      session = await thread
    } catch (error) {
      thread = undefined
      return failureEnvelope(SNIPPET_TASK, startedAt, { error_type: 'internal_error', message: `cannot start the session: ${(error as Error).message}` })
    }
    const { outcome, lost: ended } = await session.run({
      id: nextRunId++,
      root: cwd,
      argsJson: JSON.stringify([script]),
      context: { env: resolveEnv(policy.env, cwd), argv: [SNIPPET_TASK], cwd: '/' },
      policy,
      mounts,
    }, { timeoutMs: policy.timeout, signal })
    if (ended) {
      lost = `a run ended with ${outcome.error?.error_type ?? 'an error'} (${outcome.error?.message ?? 'no message'})`
      await dropThread()
    }
    return makeEnvelope({
      taskName: SNIPPET_TASK,
      startedAt,
      result: outcome.result,
      error: outcome.error,
      retries: 0,
      fuelConsumed: outcome.fuelConsumed,
      ramUsed: outcome.ramUsed,
      hostRequests: outcome.hostRequests,
      logs: outcome.logs,
    })
  }

  /** A host path inside the workspace for a guest path relative to it; escapes are refused. */
  function workspacePath(guestPath: string, what: string): string {
    const normalized = typeof guestPath === 'string' && !isAbsolute(guestPath) && !guestPath.startsWith('/') ? normalizeRelative(guestPath) : null
    if (normalized === null || normalized === '.') {
      throw new CapsuleError('INVALID_RUN_OPTIONS', `session.${what}(): "${String(guestPath)}" must be a file path relative to the workspace (no absolute paths, no "..")`)
    }
    return join(workspace, normalized)
  }

  async function assertInsideWorkspace(path: string, what: string, guestPath: string): Promise<void> {
    let real: string
    try {
      real = await realpath(path)
    } catch {
      throw new CapsuleError('INVALID_RUN_OPTIONS', `session.${what}(): no file "${guestPath}" in the workspace`)
    }
    if (real === workspace || !isPathInside(real, workspace)) {
      throw new CapsuleError('INVALID_RUN_OPTIONS', `session.${what}(): "${guestPath}" leads outside the workspace`)
    }
  }

  const session: Session = {
    workspace,

    async run(code, runOptions = {}) {
      ensureOpen('run')
      if (typeof code !== 'string') {
        throw new CapsuleError('INVALID_RUN_OPTIONS', `session.run(code): code must be a string, got ${code === null ? 'null' : typeof code}`)
      }
      return serialized(() => runNow(code, runOptions.signal))
    },

    async importFile(hostPath, guestPath = basename(String(hostPath))) {
      ensureOpen('importFile')
      const target = workspacePath(guestPath, 'importFile')
      await mkdir(dirname(target), { recursive: true })
      await assertInsideWorkspace(dirname(target), 'importFile', guestPath)
      await copyFile(resolve(cwd, hostPath), target)
      return `${WORKSPACE_GUEST_DIR}/${relative(workspace, target).split('\\').join('/')}`
    },

    async exportFile(guestPath, hostPath) {
      ensureOpen('exportFile')
      const source = workspacePath(guestPath, 'exportFile')
      await assertInsideWorkspace(source, 'exportFile', guestPath)
      const target = resolve(cwd, hostPath)
      await mkdir(dirname(target), { recursive: true })
      await copyFile(source, target)
      return target
    },

    async reset() {
      ensureOpen('reset')
      return serialized(async () => {
        await dropThread()
        lost = undefined
      })
    },

    async close() {
      if (closed) return
      closed = true
      // Ends a run in flight at once (it answers that the worker exited), then any queued one.
      await dropThread()
      await queue
      await dropThread()
      rmSync(workspace, { recursive: true, force: true })
    },

    [Symbol.asyncDispose]() {
      return session.close()
    },
  }
  return session
}
