// The spinner `capsule run` shows on stderr while a task module compiles: the phase and the
// elapsed time, then one line saying how long each phase took. Only on a real terminal: stderr a
// TTY that reports a width (a 0-column pty made nanospinner clear lines forever), and stdout a
// TTY too (nanospinner decides by fd 1 whether to redraw in place or print a line per frame).
import { createSpinner } from 'nanospinner'
import { compileProgress, describeProgress, formatElapsed, type CompileProgress } from '../plugin/build-progress.ts'

export function canSpin(): boolean {
  const stderr = process.stderr
  return stderr.isTTY === true && (stderr.columns ?? 0) > 0 && process.stdout.isTTY === true && process.env.TERM !== 'dumb' && !('CI' in process.env)
}

export interface CompileSpinner {
  /** Feed it the compiler's lifecycle lines. */
  onEvent(line: string): void
  stop(): void
}

export function compileSpinner(): CompileSpinner {
  const spinner = createSpinner('', { stream: process.stderr })
  let current: CompileProgress | undefined
  let ticker: NodeJS.Timeout | undefined
  const text = () => `compiling ${current!.module}: ${current!.phase} ${formatElapsed(current!.elapsedMs + (performance.now() - since))}`
  let since = performance.now()
  const stop = () => {
    clearInterval(ticker)
    ticker = undefined
    if (current) spinner.stop()
    current = undefined
  }
  const onEvent = compileProgress((progress) => {
    if (progress.phase === 'done') {
      if (current) spinner.success({ text: describeProgress(progress) })
      clearInterval(ticker)
      ticker = undefined
      current = undefined
      return
    }
    current = progress
    since = performance.now()
    spinner.start({ text: text() })
    ticker ??= setInterval(() => current && spinner.update({ text: text() }), 200)
    ticker.unref()
  })
  return { onEvent, stop }
}
