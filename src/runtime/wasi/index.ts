// The WASI imports a capsule component needs (clocks, random, poll, streams, stderr), keyed
// the way jco's glue reads them. No filesystem, sockets or stdin: those are host imports.
import { monotonicClock, wallClock } from './clocks.ts'
import { InputStream, IoError, OutputStream } from './io.ts'
import { Pollable, poll } from './poll.ts'
import { random } from './random.ts'

export function wasiImports(stderr: (text: string) => void): Record<string, unknown> {
  const stderrStream = new OutputStream(stderr)
  return {
    'wasi:clocks/monotonic-clock': monotonicClock,
    'wasi:clocks/wall-clock': wallClock,
    'wasi:random/random': random,
    'wasi:io/poll': { Pollable, poll },
    'wasi:io/error': { Error: IoError },
    'wasi:io/streams': { InputStream, OutputStream },
    'wasi:cli/stderr': { getStderr: () => stderrStream },
  }
}
