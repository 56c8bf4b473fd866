// The Node flags a runtime worker thread starts with: the host process's own (loader hooks,
// conditions), minus those that say how the host's entry script was given (`-e`, `-p`,
// `--input-type`): inherited as they are, a worker would take its own entry file for that inline
// script and die at start, leaving its calls unanswered. Node also refuses, when they are passed
// explicitly, flags that act on the whole process or on V8 (`--expose-gc`, heap sizes, ...): a
// worker started here drops those (they already apply to the process) instead of failing.
import { Worker, type WorkerOptions } from 'node:worker_threads'

const ENTRY_FLAGS_WITH_VALUE = new Set(['-e', '--eval', '-p', '--print'])
const ENTRY_FLAG_PREFIXES = ['--input-type', '--eval=', '--print=']

export function workerExecArgv(argv: readonly string[] = process.execArgv): string[] {
  const kept: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!
    if (ENTRY_FLAGS_WITH_VALUE.has(flag)) i++
    else if (!ENTRY_FLAG_PREFIXES.some((prefix) => flag.startsWith(prefix))) kept.push(flag)
  }
  return kept
}

/** The flags workers of this process accept, learnt from Node's refusal the first time. */
let accepted: string[] | undefined

/** Starts a worker thread with the host's flags that a worker may take. */
export function startWorker(file: string | URL, options: Omit<WorkerOptions, 'execArgv'> = {}): Worker {
  accepted ??= workerExecArgv()
  try {
    return new Worker(file, { ...options, execArgv: accepted })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw error
    // "Initiated Worker with invalid execArgv flags: --expose-gc, --max-old-space-size=64"
    const refused = new Set((error as Error).message.replace(/^[^:]*:\s*/, '').split(/,\s*/))
    accepted = accepted.filter((flag) => !refused.has(flag))
    return new Worker(file, { ...options, execArgv: accepted })
  }
}
