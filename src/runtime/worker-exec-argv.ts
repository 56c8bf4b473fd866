// The Node flags a runtime worker thread starts with: the host process's own (loader hooks,
// V8 flags), minus those that say how the host's entry script was given (`-e`, `-p`,
// `--input-type`). Inherited as they are, a worker would take its own entry file for that inline
// script and die at start, leaving its calls unanswered.
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
