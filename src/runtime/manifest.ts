// capsule.manifest.json: what a build ships — the toolchain it was made with, the shared engine
// (when there is one), and every task module with its artifact files (sha256 each) and its tasks
// with their RESOLVED policies. It is the single source of truth for `capsule exec`, `inspect` and
// the runtime: policies come from here, never from the guest. Paths inside are relative to the
// manifest's own directory, so a build output can be moved as a whole.
import { readFileSync, statSync } from 'node:fs'
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { NAME_PATTERN } from '../options/name.ts'
import type { ResolvedPolicy } from '../options/policy.ts'
import type { ModuleArtifact } from './artifact.ts'
import type { TaskSignature } from './task-signature.ts'
import { CapsuleError } from './errors.ts'
import { digestOf, sha256File } from './file-digests.ts'

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

// ---------------------------------------------------------------------------------------------
// Validation

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
  if (!Array.isArray(raw.files) || raw.files.length === 0) check.fail(`${at}.files`, 'must be a non-empty array')
  const seen = new Set<string>()
  const files = (raw.files as unknown[]).map((item, index) => {
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
  if (!Array.isArray(raw.modules) || raw.modules.length === 0) check.fail('modules', 'must be a non-empty array')
  const sources = new Set<string>()
  const modules = (raw.modules as unknown[]).map((item, index) => {
    const at = `modules[${index}]`
    const module = check.object(item, at)
    const source = check.string(module.source, `${at}.source`)
    if (sources.has(source)) check.fail(`${at}.source`, `"${source}" is listed twice`)
    sources.add(source)
    if (!Array.isArray(module.tasks) || module.tasks.length === 0) check.fail(`${at}.tasks`, 'must be a non-empty array')
    const names = new Set<string>()
    const tasks = (module.tasks as unknown[]).map((entry, taskIndex) => {
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

// ---------------------------------------------------------------------------------------------
// Loading (cached by path + mtime + size) and verification (digests remembered per file version: file-digests.ts)

function stampOf(path: string): string {
  try {
    const stat = statSync(path)
    return `${stat.mtimeMs}:${stat.size}:${stat.ino}`
  } catch {
    return 'missing'
  }
}

const loaded = new Map<string, { stamp: string; manifest: Manifest }>()

/** Reads, parses and validates a manifest. Throws CapsuleError('INVALID_MANIFEST') naming the problem. */
export function loadManifest(path: string): Manifest {
  const file = resolve(path)
  const stamp = stampOf(file)
  const known = loaded.get(file)
  if (known && known.stamp === stamp) return known.manifest
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new CapsuleError('INVALID_MANIFEST', code === 'ENOENT' ? `cannot read manifest ${file}: no such file` : `cannot read manifest ${file}: ${(error as Error).message}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new CapsuleError('INVALID_MANIFEST', `${file}: not valid JSON (${(error as Error).message})`)
  }
  const manifest = parseManifest(json, file)
  loaded.set(file, { stamp, manifest })
  return manifest
}

/** Absolute directory of a file set. */
export function fileSetDir(manifestPath: string, set: ManifestFileSet): string {
  return resolve(dirname(resolve(manifestPath)), set.dir)
}

/** A path for messages: relative to the manifest's directory when inside it. */
function shown(manifestPath: string, file: string): string {
  const rel = relative(dirname(resolve(manifestPath)), file)
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : file
}

export { sha256File }

/** Checks the size and sha256 of every file of a set; throws INVALID_MANIFEST naming the first mismatch. */
export function verifyFileSet(manifestPath: string, set: ManifestFileSet): void {
  const dir = fileSetDir(manifestPath, set)
  for (const file of set.files) {
    const path = resolve(dir, file.path)
    const actual = digestOf(path).sha256
    if (actual === 'missing') {
      throw new CapsuleError('INVALID_MANIFEST', `artifact ${shown(manifestPath, path)} listed in ${manifestPath} is missing`)
    }
    if (actual !== file.sha256) {
      throw new CapsuleError('INVALID_MANIFEST',
        `artifact ${shown(manifestPath, path)} does not match its sha256 in ${manifestPath} (expected ${file.sha256.slice(0, 12)}…, got ${actual.slice(0, 12)}…): the build output was modified or corrupted`)
    }
  }
}

/** Normalizes a module reference: POSIX separators, no leading './'. */
function normalizeSource(source: string): string {
  return source.replace(/\\/g, '/').replace(/^(\.\/)+/, '')
}

/** Splits `path/to/x.capsule.ts#name` (or `name`) and finds the module it refers to. */
export function selectTask(manifest: Manifest, manifestPath: string, task: string | undefined): { module: ManifestModule; taskName: string } {
  const spec = task ?? 'main'
  const hash = spec.lastIndexOf('#')
  const listing = () => manifest.modules.flatMap((module) => module.tasks.map((entry) => `${module.source}#${entry.name}`)).join(', ')
  if (hash >= 0) {
    const source = normalizeSource(spec.slice(0, hash))
    const taskName = spec.slice(hash + 1) || 'main'
    const module = manifest.modules.find((candidate) => normalizeSource(candidate.source) === source)
    if (!module) throw new CapsuleError('TASK_NOT_FOUND', `no task module "${source}" in ${manifestPath} (tasks: ${listing()})`)
    return { module, taskName }
  }
  if (manifest.modules.length === 1) return { module: manifest.modules[0]!, taskName: spec }
  const holders = manifest.modules.filter((module) => module.tasks.some((entry) => entry.name === spec || entry.export === spec))
  if (holders.length === 1) return { module: holders[0]!, taskName: spec }
  throw new CapsuleError('TASK_NOT_FOUND', holders.length === 0
    ? `unknown task "${spec}" in ${manifestPath} (tasks: ${listing()})`
    : `task "${spec}" is ambiguous in ${manifestPath}: name it as module#task (tasks: ${listing()})`)
}

let world: string | null | undefined

/** sha256 of the WIT world this installed runtime implements (null when it cannot be read). */
export function runtimeWorld(): string | null {
  if (world === undefined) {
    try {
      world = sha256File(fileURLToPath(new URL('../wit/capsule.wit', import.meta.url)))
    } catch {
      world = null
    }
  }
  return world
}

/**
 * The runnable artifact for `task` in the manifest at `manifestPath`, after checking the sha256 of
 * every file it loads (the module's artifact and the shared engine). `root` is the project root
 * for relative file grants and `.env`.
 */
export function manifestArtifact(manifestPath: string, task: string | undefined, root: string): { artifact: ModuleArtifact; taskName: string } {
  const path = resolve(manifestPath)
  const manifest = loadManifest(path)
  const { module, taskName } = selectTask(manifest, path, task)
  const expected = runtimeWorld()
  if (expected !== null && manifest.toolchain.world !== expected) {
    throw new CapsuleError('INVALID_MANIFEST',
      `${path} was built by unplugin-capsule ${manifest.toolchain.capsule} for another host interface (WIT world) than this runtime implements: rebuild it with the installed version`)
  }
  verifyFileSet(path, manifest.engine)
  verifyFileSet(path, module.artifact)
  const artifact: ModuleArtifact = {
    dir: fileSetDir(path, module.artifact),
    files: module.artifact.files.map((file) => file.path),
    engine: { dir: fileSetDir(path, manifest.engine), files: manifest.engine.files.map((file) => file.path), key: manifest.engine.key },
    source: resolve(root, module.source),
    root,
    tasks: module.tasks.map((entry) => ({ exportName: entry.export, policy: { name: entry.name, ...entry.policy }, ...(entry.signature ? { signature: entry.signature } : {}) })),
  }
  return { artifact, taskName }
}
