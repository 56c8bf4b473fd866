// Turns the compiler's lifecycle lines (CompileOptions.onEvent) into progress a person can read:
// which phase a module is in and for how long. The one place that knows those lines' wording —
// the plugin's bundler loggers and the CLI spinner both go through it.

export type CompilePhase = 'bundling' | 'waiting for a compile slot' | 'componentize + snapshot' | 'done'

export interface CompileProgress {
  /** The task module, as the compiler names it (relative to the project root). */
  module: string
  phase: CompilePhase
  /** Since this module's compile started. */
  elapsedMs: number
  /** Once done: the time of each phase ('engine' only when the shared engine was instrumented). */
  phases?: { name: string; ms: number }[]
}

/** `onEvent` for one compileModule() call: reports each phase change of a real compile (not of a cache hit). */
export function compileProgress(report: (progress: CompileProgress) => void): (line: string) => void {
  let module = ''
  let started = performance.now()
  let waitStarted: number | undefined
  let componentizeStarted = started
  let engineMs = 0
  const elapsed = () => performance.now() - started
  return (line) => {
    let match: RegExpExecArray | null
    if ((match = /^bundling (.+)$/.exec(line))) {
      module = match[1]!
      started = performance.now()
    } else if ((match = /^waiting to compile (.+?): /.exec(line))) {
      // Another process compiles the same module, or both compile slots are taken (cache-lock.ts).
      waitStarted ??= performance.now()
      report({ module: match[1]!, phase: 'waiting for a compile slot', elapsedMs: elapsed() })
    } else if ((match = /^cache miss: (.+?) \(/.exec(line))) {
      module = match[1]!
      componentizeStarted = performance.now()
      report({ module, phase: 'componentize + snapshot', elapsedMs: elapsed() })
    } else if ((match = /^instrumented the shared engine \S+ for fuel in (\d+) ms(?:.* then waited (\d+) ms)?/.exec(line))) {
      // Instrumented alongside the other steps: only the wait past them is a phase of its own.
      engineMs = Number(match[2] ?? match[1])
    } else if ((match = /^compiled (.+?) in \d+ ms(?: \(.*\))?$/.exec(line))) {
      const total = elapsed()
      const bundling = (waitStarted ?? componentizeStarted) - started
      const waiting = waitStarted === undefined ? 0 : componentizeStarted - waitStarted
      const phases = [
        { name: 'bundling', ms: bundling },
        ...(waiting > 0 ? [{ name: 'waiting for a compile slot', ms: waiting }] : []),
        { name: 'componentize + snapshot', ms: Math.max(0, total - bundling - waiting - engineMs) },
        ...(engineMs > 0 ? [{ name: 'engine instrumented (once per toolchain)', ms: engineMs }] : []),
      ]
      report({ module: match[1]!, phase: 'done', elapsedMs: total, phases })
    }
  }
}

/** '0.4 s', '14.2 s', '1 min 5 s'. */
export function formatElapsed(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`
}

/** One line for a bundler's logger: at the start of a real compile, and when it is done. */
export function describeProgress(progress: CompileProgress): string {
  if (progress.phase !== 'done') {
    return `compiling ${progress.module} into a sandbox (${progress.phase}; a cold compile takes 5–20 s, then it is cached)…`
  }
  const phases = (progress.phases ?? []).map((phase) => `${phase.name} ${formatElapsed(phase.ms)}`).join(', ')
  return `compiled ${progress.module} in ${formatElapsed(progress.elapsedMs)} (${phases})`
}
