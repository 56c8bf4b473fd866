// Runs the real `capsule` executable on a pseudo-terminal of a given width (util-linux `script`),
// as a user's terminal would: stdout and stderr are both the pty. Output is bounded: a runaway
// writer fails the call instead of filling memory.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { REPO_ROOT } from './cli.ts'

const BIN = fileURLToPath(new URL('../../bin/capsule.mjs', import.meta.url))
const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`

export interface PtyResult {
  code: number
  /** Everything written to the terminal (stdout and stderr together). */
  output: string
  /** Set when the run was killed: too much output, or too slow. */
  killed?: string
}

export function runCliInPty(args: string[], options: { columns: number; cwd?: string; maxOutput?: number; timeoutMs?: number }): Promise<PtyResult> {
  const command = `stty cols ${options.columns} rows 40; exec ${quote(process.execPath)} ${quote(BIN)} ${args.map(quote).join(' ')}`
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color', NO_COLOR: '1' }
  delete env.CI // a terminal user's environment: the spinner must be allowed to run
  return new Promise((resolve) => {
    execFile('script', ['-qec', command, '/dev/null'], {
      cwd: options.cwd ?? REPO_ROOT, env, maxBuffer: options.maxOutput ?? 1024 * 1024, timeout: options.timeoutMs ?? 300_000,
    }, (error, stdout) => {
      if (error && (error.killed || (error as { code?: unknown }).code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER')) {
        resolve({ code: 99, output: stdout.slice(0, 2000), killed: (error as { code?: unknown }).code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER' ? 'more output than allowed' : 'timed out' })
      } else {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 98) : 0, output: stdout })
      }
    })
  })
}
