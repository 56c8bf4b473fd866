// `capsule run <file> [...args]`: compile if needed (cached), run one task, print its envelope.
// Project defaults (capsule.config.*) apply under the task's options.
import pc from 'picocolors'
import { resolve } from 'node:path'
import { createRuntime } from '../../runtime/index.ts'
import { canSpin, compileSpinner } from '../spinner.ts'
import { loadConfig, type ProjectConfig } from '../config.ts'
import { formatEnvelope } from '../format-envelope.ts'
import { eventSinks } from '../lifecycle-output.ts'
import { UsageError } from '../usage-error.ts'

export interface RunFlags {
  task?: string
  args?: string
  json?: boolean
  verbose?: boolean
  trace?: string
  mount?: string | string[]
  config?: string
}

export function parseArgs(positional: string[], json: string | undefined): unknown[] {
  if (json === undefined) return positional
  if (positional.length > 0) throw new UsageError('pass task arguments either as positional strings or with --args, not both')
  let parsed: unknown
  try {
    parsed = JSON.parse(json)
  } catch (error) {
    throw new UsageError(`--args is not valid JSON: ${(error as Error).message}`)
  }
  if (!Array.isArray(parsed)) throw new UsageError(`--args must be a JSON array, e.g. --args '[2, 3]'`)
  return parsed
}

export function asList(value: string | string[] | undefined): string[] {
  if (value === undefined) return []
  return Array.isArray(value) ? value : [value]
}

/** The file to run: the one given, else the project's `entrypoint` (capsule.config), else a usage error. */
function taskModule(file: string | undefined, config: ProjectConfig): string {
  if (file !== undefined) return resolve(file)
  if (config.entrypoint) return config.entrypoint
  const where = config.file ? `${config.file} has no "entrypoint"` : 'there is no capsule.config.{ts,mts,mjs,js,json} here'
  throw new UsageError(`no task module given and ${where}: run \`capsule run <file>\`, or set entrypoint: 'path/to/main.capsule.ts' in the project config`)
}

export async function runCommand(file: string | undefined, positional: string[], flags: RunFlags): Promise<number> {
  const args = parseArgs(positional.map(String), flags.args)
  const verbose = (line: string) => {
    if (flags.verbose) process.stderr.write(`${pc.dim('[capsule]')} ${line}\n`)
  }
  const config = await loadConfig(process.cwd(), flags.config)
  const target = taskModule(file, config)
  const spinner = !flags.json && !flags.verbose && canSpin() ? compileSpinner() : undefined
  const onEvent = eventSinks(flags, (event) => {
    if (event.type === 'compile:progress') spinner?.onEvent(event.message)
  })
  const runtime = createRuntime({ poolSize: 1, cwd: config.root, cacheDir: config.cacheDir, defaults: config.defaults, buildTimeout: config.buildTimeout, prestart: true })
  try {
    const started = performance.now()
    const envelope = await runtime.run({ file: target, task: flags.task, args, mounts: asList(flags.mount), onEvent })
    spinner?.stop()
    verbose(`task answered in ${Math.round(performance.now() - started)} ms (total)`)
    process.stdout.write(flags.json ? `${JSON.stringify(envelope)}\n` : `${formatEnvelope(envelope)}\n`)
    return envelope.success ? 0 : 1
  } finally {
    spinner?.stop()
    await runtime.close()
  }
}
