// `capsule mcp [manifest | files…] [--eval]`: a Model Context Protocol server on stdio. Every task
// of the manifest (or of the task modules, compiled first — cached) becomes a tool; `--eval` adds
// execute_javascript, with the limits given here. stdout belongs to the protocol: nothing else is
// printed there. The SDK is loaded only by this command.
import type { ComputeLevelName, DurationString, SizeString } from '../../types.ts'
import { resolve } from 'node:path'
import pc from 'picocolors'
import type { SnippetLimits } from '../../runtime/agents/snippet-policy.ts'
import { createRuntime, loadManifest } from '../../runtime/index.ts'
import { importOptional } from '../../runtime/optional-dependency.ts'
import { loadConfig } from '../config.ts'
import { compileTaskModules, findTaskModules } from '../task-modules.ts'
import { UsageError } from '../usage-error.ts'
import { version } from '../../version.ts'
import { asList } from './run.ts'

export interface McpFlags {
  eval?: boolean
  config?: string
  verbose?: boolean
  timeout?: string
  ram?: string
  compute?: string
  allowHost?: string | string[]
  allowFile?: string | string[]
  env?: string | string[]
}

/** `--allow-file dir[:ro|:rw]` → an allowedFiles entry. */
function fileGrant(spec: string): string | { path: string; mode: 'ro' | 'rw' } {
  const match = /^(.*):(ro|rw)$/.exec(spec)
  return match ? { path: match[1]!, mode: match[2] as 'ro' | 'rw' } : spec
}

// Flag values are strings from the command line: runJavaScript validates them (exit 2 on a bad one).
function evalLimits(flags: McpFlags): SnippetLimits {
  const limits: SnippetLimits = {}
  if (flags.timeout !== undefined) limits.timeout = /^\d+$/.test(String(flags.timeout)) ? Number(flags.timeout) : (String(flags.timeout) as DurationString)
  if (flags.ram !== undefined) limits.ram = String(flags.ram) as SizeString
  if (flags.compute !== undefined) limits.compute = /^\d+$/.test(String(flags.compute)) ? Number(flags.compute) : (String(flags.compute) as ComputeLevelName)
  if (flags.allowHost !== undefined) limits.allowedHosts = asList(flags.allowHost).map(String)
  if (flags.allowFile !== undefined) limits.allowedFiles = asList(flags.allowFile).map((spec) => fileGrant(String(spec)))
  if (flags.env !== undefined) limits.envVariables = asList(flags.env).map(String)
  return limits
}

export async function mcpCommand(targets: string[], flags: McpFlags): Promise<number> {
  const cwd = process.cwd()
  const log = (line: string) => {
    if (flags.verbose) process.stderr.write(`${pc.dim('[capsule]')} ${line}\n`)
  }
  const config = await loadConfig(cwd, flags.config)
  const [{ serveStdio }, { taskTools }, { evalTool }] = await importOptional('capsule mcp', () => Promise.all([
    import('../../mcp/server.ts'), import('../../mcp/task-tools.ts'), import('../../mcp/eval-tool.ts'),
  ]))
  // Validated before anything is served: a bad limit, a bad manifest or no task module is a usage error (exit 2).
  const extra = flags.eval ? [evalTool(evalLimits(flags), config.root)] : []
  const isManifest = targets.length === 1 && targets[0]!.endsWith('.json')
  if (isManifest) loadManifest(resolve(cwd, targets[0]!))
  const files = isManifest ? [] : targets.length > 0 ? targets.map((file) => resolve(cwd, file)) : flags.eval ? [] : await findTaskModules(config)
  if (!isManifest && files.length === 0 && !flags.eval) {
    throw new UsageError(`no task modules (*.capsule.{ts,mts,js,mjs}) found under ${config.root}; pass a manifest or files, or --eval`)
  }

  const runtime = createRuntime({ cwd: config.root, cacheDir: config.cacheDir, defaults: config.defaults })
  // Task modules may take a while to compile: the server answers `initialize` meanwhile.
  const tools = (async () => {
    const entries: Parameters<typeof taskTools>[0] = []
    if (isManifest) {
      const manifest = resolve(cwd, targets[0]!)
      for (const module of loadManifest(manifest).modules) {
        for (const task of module.tasks) {
          entries.push({ source: module.source, task: task.name, signature: task.signature, select: { manifest, task: `${module.source}#${task.name}` } })
        }
      }
    } else {
      for (const module of await compileTaskModules(files, config, log)) {
        for (const task of module.tasks) {
          entries.push({ source: module.source, task: task.policy.name, signature: task.signature, select: { file: module.source, task: task.policy.name } })
        }
      }
    }
    const all = [...taskTools(entries, (options) => runtime.run(options), extra.map((tool) => tool.name)), ...extra]
    log(`serving ${all.length} tool${all.length === 1 ? '' : 's'} on stdio: ${all.map((tool) => tool.name).join(', ')}`)
    return all
  })()
  tools.catch(() => {}) // serveStdio rethrows it (exit 2)
  await serveStdio({ name: 'capsule', version, tools }, () => runtime.close())
  return 0
}
