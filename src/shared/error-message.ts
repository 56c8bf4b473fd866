// The text of a caught value for a message: an Error's message, anything else as a string
// (a task or a library may throw a non-Error).

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
