// `capsule inspect <file|manifest> [--json]`: the tasks and their resolved policies, as a table or
// JSON. A manifest is validated and the sha256 of every artifact it lists checked (no compiler); a
// task module is parsed (its options resolved with the project defaults), not compiled.
import { resolve } from 'node:path'
import pc from 'picocolors'
import { computeLevelOf } from '../../options/compute.ts'
import { formatBytes } from '../../options/ram.ts'
import { formatDuration } from '../../options/timeout.ts'
import type { ManifestModule } from '../../formats/manifest.ts'
import { loadManifest } from '../../runtime/manifest-load.ts'
import { verifyFileSet } from '../../runtime/manifest-verify.ts'
import { importOptional } from '../../runtime/optional-dependency.ts'
import { loadConfig } from '../config.ts'
import { UsageError } from '../usage-error.ts'
import { errorMessage } from '../../shared/error-message.ts'
import { sourceKey } from '../../shared/display-path.ts'

export interface InspectFlags {
  json?: boolean
  config?: string
}

interface Inspection {
  kind: 'manifest' | 'module'
  path: string
  /** The project config whose defaults were applied (task modules only). */
  config?: string | null
  modules: Pick<ManifestModule, 'source' | 'tasks'>[]
}

async function inspectModule(file: string, flags: InspectFlags): Promise<Inspection> {
  const config = await loadConfig(process.cwd(), flags.config)
  const [{ readFile }, { discoverTasks }] = await Promise.all([
    import('node:fs/promises'), importOptional('inspecting a task module', () => import('../../compile/discover-tasks.ts')),
  ])
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch {
    throw new UsageError(`cannot read task module ${file}: no such file`)
  }
  const source = sourceKey(file, config.root)
  let tasks
  try {
    tasks = discoverTasks(text, source, { root: config.root, defaults: config.defaults })
  } catch (error) {
    throw new UsageError(errorMessage(error))
  }
  if (tasks.length === 0) throw new UsageError(`${source}: no tasks found (export at least one task({ name, ... }, fn))`)
  return {
    kind: 'module',
    path: file,
    config: config.file,
    modules: [{ source, tasks: tasks.map(({ exportName, policy: { name, ...policy } }) => ({ name, export: exportName, policy })) }],
  }
}

function inspectManifest(path: string): Inspection {
  const manifest = loadManifest(path)
  verifyFileSet(path, manifest.engine)
  for (const module of manifest.modules) verifyFileSet(path, module.artifact)
  return { kind: 'manifest', path, modules: manifest.modules.map(({ source, tasks }) => ({ source, tasks })) }
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  return rows.map((row, index) => {
    const line = row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()
    return index === 0 ? pc.bold(line) : line
  }).join('\n')
}

function render(inspection: Inspection): string {
  const rows = [['TASK', 'EXPORT', 'COMPUTE', 'RAM', 'TIMEOUT', 'RETRIES', 'FILES', 'HOSTS', 'ENV']]
  for (const module of inspection.modules) {
    for (const { name, export: exported, policy } of module.tasks) {
      const level = computeLevelOf(policy.fuel)
      rows.push([
        `${module.source}#${name}`,
        exported,
        level ? `${level} (${policy.fuel.toLocaleString('en-US')})` : `${policy.fuel.toLocaleString('en-US')} fuel`,
        policy.ram === null ? 'unlimited' : formatBytes(policy.ram),
        policy.timeout === null ? 'none' : formatDuration(policy.timeout),
        String(policy.maxRetries),
        policy.files.map((grant) => `${grant.path}:${grant.mode}`).join(', ') || '-',
        policy.hosts.join(', ') || '-',
        policy.env.join(', ') || '-',
      ])
    }
  }
  const header = inspection.kind === 'manifest'
    ? `${pc.green('✔')} ${inspection.path}: every artifact matches its sha256`
    : `${inspection.path} (task module, parsed, not compiled${inspection.config ? `; defaults from ${inspection.config}` : ''})`
  return `${header}\n${table(rows)}`
}

export async function inspectCommand(target: string, flags: InspectFlags): Promise<number> {
  const path = resolve(target)
  const inspection = path.endsWith('.json') ? inspectManifest(path) : await inspectModule(path, flags)
  process.stdout.write(flags.json ? `${JSON.stringify(inspection)}\n` : `${render(inspection)}\n`)
  return 0
}
