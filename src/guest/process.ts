// A small `process` for the sandbox: env, argv, cwd and exit, filled per call from the host's
// context. The host decides which env names are visible; the guest only receives them.

export class ProcessExit extends Error {
  constructor(readonly code: number) {
    super(`process.exit(${code})`)
    this.name = 'ProcessExit'
  }
}

export interface CallContext {
  env: Record<string, string>
  argv: string[]
  cwd: string
}

const guestProcess = {
  env: {} as Record<string, string>,
  argv: ['capsule'] as string[],
  platform: 'wasi',
  version: 'v0.0.0-capsule',
  versions: {} as Record<string, string>,
  cwd: (): string => '/',
  exit(code = 0): never {
    throw new ProcessExit(code)
  },
  nextTick(fn: (...args: unknown[]) => void, ...args: unknown[]): void {
    queueMicrotask(() => fn(...args))
  },
}

export function applyCallContext(context: CallContext): void {
  guestProcess.env = { ...context.env }
  guestProcess.argv = ['capsule', ...context.argv]
  guestProcess.cwd = () => context.cwd
}

export default guestProcess
