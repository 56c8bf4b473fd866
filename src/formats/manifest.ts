// capsule.manifest.json, the format: what a build ships — the toolchain it was made with, the
// shared engine, and every task module with its artifact files (sha256 each) and its tasks with
// their RESOLVED policies — and its validator. Paths inside are relative to the manifest's own
// directory, so a build output can be moved as a whole. The plugin writes it; the runtime, the
// queue and `capsule inspect` read it (runtime/manifest-*.ts).
//
// Kept hand-written rather than as a schema library's schema: every message names the JSON path
// and the accepted values (pinned by tests and read by people), several rules span fields (plain
// file names, duplicates, grant paths, task names), and the policy's types come from options/ —
// a schema would restate them a second time, not remove the duplication.
import { isAbsolute } from 'node:path'
import { NAME_PATTERN } from '../options/name.ts'
import type { ResolvedPolicy } from '../options/policy.ts'
import { CapsuleError } from '../runtime/errors.ts'
import type { TaskSignature } from '../runtime/task-signature.ts'

export const MANIFEST_VERSION = 1
export const DEFAULT_MANIFEST_NAME = 'capsule.manifest.json'

export interface ManifestFile {
  /** A file name inside its directory (no separators). */
  path: string
  sha256: string
  bytes: number
}

export interface ManifestFileSet {
  /** Directory of the files, relative to the manifest's directory (or absolute). */
  dir: string
  files: ManifestFile[]
}

/** The shared engine: the same for every module compiled with one toolchain. */
export interface ManifestEngine extends ManifestFileSet {
  /** The engine's key: every module's snapshot names the engine it needs. */
  key: string
}

export type ManifestPolicy = Omit<ResolvedPolicy, 'name'>

export interface ManifestTask {
  /** The task's `name` option (what `--task` and sub-task calls use). */
  name: string
  /** The export that holds it (`default` for a default export). */
  export: string
  /** Resolved: fuel units, ram bytes (null = unlimited), timeout ms (null = none), retries, grants. */
  policy: ManifestPolicy
  /** Optional: the JSDoc description and the input schema derived from the parameter types (for `capsule mcp`). */
  signature?: TaskSignature
}

export interface ManifestModule {
  /** The task module's source path, relative to the project root, POSIX separators. */
  source: string
  artifact: ManifestFileSet
  tasks: ManifestTask[]
}

export interface ManifestToolchain {
  /** unplugin-capsule version that built it. */
  capsule: string
  componentizeJs: string
  jco: string
  /** sha256 of the WIT world the guests were compiled against. */
  world: string
}

export interface Manifest {
  version: typeof MANIFEST_VERSION
  toolchain: ManifestToolchain
  /** The shared engine (instrumented glue and core modules) every module's snapshot runs on. */
  engine: ManifestEngine
  modules: ManifestModule[]
}

const SHA256 = /^[0-9a-f]{64}$/

class Checker {
  constructor(private readonly file: string) {}

  fail(at: string, reason: string): never {
    throw new CapsuleError('INVALID_MANIFEST', `${this.file}: ${at ? `${at} ` : ''}${reason}`)
  }

  object(value: unknown, at: string): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(at, 'must be an object')
    return value as Record<string, unknown>
  }

  string(value: unknown, at: string): string {
    if (typeof value !== 'string' || value === '') this.fail(at, 'must be a non-empty string')
    return value
  }

  nonEmptyArray(value: unknown, at: string): unknown[] {
    if (!Array.isArray(value) || value.length === 0) this.fail(at, 'must be a non-empty array')
    return value
  }

  strings(value: unknown, at: string): string[] {
    if (!Array.isArray(value)) this.fail(at, 'must be an array of strings')
    return (value as unknown[]).map((item, index) => this.string(item, `${at}[${index}]`))
  }

  integer(value: unknown, at: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.fail(at, `must be an integer in ${min}..${max === Number.MAX_SAFE_INTEGER ? 'MAX_SAFE_INTEGER' : max}`)
    }
    return value
  }

  nullableInteger(value: unknown, at: string, min: number): number | null {
    return value === null ? null : this.integer(value, at, min)
  }
}

function checkFileSet(check: Checker, value: unknown, at: string): ManifestFileSet {
  const raw = check.object(value, at)
  const dir = check.string(raw.dir, `${at}.dir`)
  const seen = new Set<string>()
  const files = check.nonEmptyArray(raw.files, `${at}.files`).map((item, index) => {
    const where = `${at}.files[${index}]`
    const file = check.object(item, where)
    const path = check.string(file.path, `${where}.path`)
    if (/[\\/]/.test(path) || path === '.' || path === '..') check.fail(`${where}.path`, `must be a plain file name, got "${path}"`)
    if (seen.has(path)) check.fail(`${where}.path`, `"${path}" is listed twice`)
    seen.add(path)
    const sha256 = check.string(file.sha256, `${where}.sha256`)
    if (!SHA256.test(sha256)) check.fail(`${where}.sha256`, 'must be 64 lowercase hex digits')
    return { path, sha256, bytes: check.integer(file.bytes, `${where}.bytes`, 0) }
  })
  return { dir, files }
}

function checkSignature(check: Checker, value: unknown, at: string): TaskSignature {
  const raw = check.object(value, at)
  if (raw.description !== undefined) check.string(raw.description, `${at}.description`)
  const schema = check.object(raw.inputSchema, `${at}.inputSchema`)
  if (schema.type !== 'object') check.fail(`${at}.inputSchema.type`, 'must be "object"')
  const args = check.object(raw.args, `${at}.args`)
  if (args.from === 'params') check.strings(args.names, `${at}.args.names`)
  else if (args.from !== 'input' && args.from !== 'args') check.fail(`${at}.args.from`, 'must be "params", "input" or "args"')
  return raw as unknown as TaskSignature
}

function checkPolicy(check: Checker, value: unknown, at: string): ManifestPolicy {
  const raw = check.object(value, at)
  if (!Array.isArray(raw.files)) check.fail(`${at}.files`, 'must be an array of { path, mode }')
  return {
    fuel: check.integer(raw.fuel, `${at}.fuel`, 1),
    ram: check.nullableInteger(raw.ram, `${at}.ram`, 1),
    timeout: check.nullableInteger(raw.timeout, `${at}.timeout`, 1),
    maxRetries: check.integer(raw.maxRetries, `${at}.maxRetries`, 0, 10),
    files: (raw.files as unknown[]).map((item, index) => {
      const grant = check.object(item, `${at}.files[${index}]`)
      const path = check.string(grant.path, `${at}.files[${index}].path`)
      if (isAbsolute(path) || path.split('/').includes('..')) check.fail(`${at}.files[${index}].path`, `must be relative to the project root, got "${path}"`)
      if (grant.mode !== 'ro' && grant.mode !== 'rw') check.fail(`${at}.files[${index}].mode`, `must be "ro" or "rw"`)
      return { path, mode: grant.mode }
    }),
    hosts: check.strings(raw.hosts, `${at}.hosts`),
    env: check.strings(raw.env, `${at}.env`),
  }
}

/** Validates parsed JSON as a manifest; `file` names it in errors. */
export function parseManifest(json: unknown, file: string): Manifest {
  const check = new Checker(file)
  const raw = check.object(json, '')
  if (raw.version !== MANIFEST_VERSION) {
    check.fail('version', `is ${JSON.stringify(raw.version)}; this runtime reads version ${MANIFEST_VERSION} (rebuild with this version of unplugin-capsule)`)
  }
  const tools = check.object(raw.toolchain, 'toolchain')
  const toolchain: ManifestToolchain = {
    capsule: check.string(tools.capsule, 'toolchain.capsule'),
    componentizeJs: check.string(tools.componentizeJs, 'toolchain.componentizeJs'),
    jco: check.string(tools.jco, 'toolchain.jco'),
    world: check.string(tools.world, 'toolchain.world'),
  }
  const engineRaw = check.object(raw.engine, 'engine')
  const engine: ManifestEngine = { ...checkFileSet(check, engineRaw, 'engine'), key: check.string(engineRaw.key, 'engine.key') }
  const sources = new Set<string>()
  const modules = check.nonEmptyArray(raw.modules, 'modules').map((item, index) => {
    const at = `modules[${index}]`
    const module = check.object(item, at)
    const source = check.string(module.source, `${at}.source`)
    if (sources.has(source)) check.fail(`${at}.source`, `"${source}" is listed twice`)
    sources.add(source)
    const names = new Set<string>()
    const tasks = check.nonEmptyArray(module.tasks, `${at}.tasks`).map((entry, taskIndex) => {
      const where = `${at}.tasks[${taskIndex}]`
      const task = check.object(entry, where)
      const name = check.string(task.name, `${where}.name`)
      if (!NAME_PATTERN.test(name)) check.fail(`${where}.name`, `"${name}" is not a valid task name`)
      if (names.has(name)) check.fail(`${where}.name`, `"${name}" is listed twice in ${source}`)
      names.add(name)
      const parsed: ManifestTask = { name, export: check.string(task.export, `${where}.export`), policy: checkPolicy(check, task.policy, `${where}.policy`) }
      if (task.signature !== undefined) parsed.signature = checkSignature(check, task.signature, `${where}.signature`)
      return parsed
    })
    return { source, artifact: checkFileSet(check, module.artifact, `${at}.artifact`), tasks }
  })
  return { version: MANIFEST_VERSION, toolchain, engine, modules }
}
