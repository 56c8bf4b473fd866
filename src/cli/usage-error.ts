// A usage, config or build problem: the CLI prints its one-line reason and exits 2.
export class UsageError extends Error {
  override name = 'UsageError'
}

/** Collapses a (possibly multi-line) message into the one line the CLI prints. */
export function oneLine(message: string): string {
  return message.split('\n').map((line) => line.trim()).filter(Boolean).join(' — ')
}
