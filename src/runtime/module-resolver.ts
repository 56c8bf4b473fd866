// Finds the artifact a run refers to. A `file` is compiled on demand through a lazily imported
// compiler and remembered until one of its inputs changes; a `manifest` is read as prebuilt:
// validated, the sha256 of every file it loads checked (cached while the files are unchanged),
// its directories resolved relative to the manifest so a build output can be moved.
// A compiled `file`'s artifacts (the engine glue the host imports, the engine, the snapshot)
// get their sha256 when this process first gets them (file-digests.ts: hashed once per file
// version, not once per process) and are checked again before every later run, as a
// manifest's are: a cached file changed since is refused, never loaded.
// Before each run of a remembered `file`, its inputs are stat'ed to notice an edit; the guest
// runtime files this package ships (its own dist/) are left out of that check: they change only
// with the package, whose code this process has loaded already.
import { statSync } from 'node:fs'
import { dirname, join, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { EngineArtifact, ModuleArtifact } from './artifact.ts'
import { CapsuleError } from './errors.ts'
import { digestOf, type FileDigest } from './file-digests.ts'
import { importOptional, missingDependencyError } from './optional-dependency.ts'
import type { CompileReporter } from './lifecycle.ts'
import { manifestArtifact } from './manifest.ts'
import type { RunOptions } from './run-options.ts'
import type { CapsuleOptions } from '../types.ts'
import { errorMessage } from '../shared/error-message.ts'
import { filesStamp } from '../shared/file-stamp.ts'

type TaskDefaults = CapsuleOptions['defaults']

/** This package's build output (where the bundled runtime lives), with a trailing separator. */
const OWN_DIST = dirname(fileURLToPath(import.meta.url)) + sep

/** The inputs an edit may move: every file of the bundle but this package's own. */
const editableInputs = (inputs: string[]): string[] => inputs.filter((input) => !input.startsWith(OWN_DIST))

interface Remembered {
  artifact: ModuleArtifact
  /** The inputs checked before each run (editableInputs). */
  watched: string[]
  stamp: string
  /** sha256 of every artifact file the runtime loads, taken when it was compiled or found. */
  hashes: Map<string, FileDigest>
}

/** Every file of an artifact the runtime loads: the engine's and the module's own. */
function artifactFiles(artifact: ModuleArtifact): string[] {
  return [...artifact.engine.files.map((file) => join(artifact.engine.dir, file)), ...artifact.files.map((file) => join(artifact.dir, file))]
}

function hashArtifact(artifact: ModuleArtifact): Map<string, FileDigest> {
  return new Map(artifactFiles(artifact).map((path) => [path, digestOf(path)]))
}

/** Re-hashes any artifact file whose stamp moved; throws when one no longer matches. */
function verifyArtifact(remembered: Remembered): void {
  for (const [path, known] of remembered.hashes) {
    const { sha256: actual, stamp } = digestOf(path)
    if (stamp === known.stamp) continue
    if (actual !== known.sha256) {
      throw new CapsuleError('INVALID_TASK_MODULE',
        `the compiled artifact ${path} changed after it was built (sha256 ${known.sha256.slice(0, 12)}…, now ${actual.slice(0, 12)}…): refusing to load it; delete the compile cache to rebuild`)
    }
    known.stamp = stamp
  }
}

export class ModuleResolver {
  private readonly compiled = new Map<string, Promise<Remembered>>()

  constructor(
    private readonly cacheDir: string | undefined,
    /** Project defaults applied under each task's own options when compiling a `file`. */
    private readonly defaults: TaskDefaults | undefined,
    /** Budget (ms) for a module's top-level code at build time (default: the compiler's). */
    private readonly buildTimeout?: number,
    /** Told the shared engine a module being compiled will run on, before the compile ends. */
    private readonly onEngine?: (engine: EngineArtifact) => void,
  ) {}

  async resolve(options: RunOptions, cwd: string, reporter?: CompileReporter): Promise<{ artifact: ModuleArtifact; taskName: string }> {
    if (options.file && options.manifest) throw new CapsuleError('INVALID_RUN_OPTIONS', 'pass either `file` or `manifest`, not both')
    if (options.file) return { artifact: await this.compile(resolve(cwd, options.file), cwd, reporter), taskName: options.task ?? 'main' }
    // A prebuilt manifest's project root (relative file grants, .env) is the run's cwd.
    if (options.manifest) return manifestArtifact(resolve(cwd, options.manifest), options.task, cwd)
    throw new CapsuleError('INVALID_RUN_OPTIONS', 'nothing to run: pass `file` (a task module) or `manifest`')
  }

  private async compile(file: string, root: string, reporter?: CompileReporter): Promise<ModuleArtifact> {
    const key = `${root}\0${file}`
    const known = this.compiled.get(key)
    if (known) {
      const remembered = await known.catch(() => undefined)
      if (remembered && filesStamp(remembered.watched) === remembered.stamp) {
        verifyArtifact(remembered)
        return remembered.artifact
      }
      this.compiled.delete(key)
    }
    reporter?.start()
    const pending = this.compileFresh(file, root, reporter && ((line) => reporter.line(line)))
    this.compiled.set(key, pending)
    pending.then(() => reporter?.end(), (error: unknown) => {
      this.compiled.delete(key)
      reporter?.end(error)
    })
    return (await pending).artifact
  }

  private async compileFresh(file: string, root: string, onEvent?: (message: string) => void): Promise<Remembered> {
    try {
      statSync(file)
    } catch {
      throw new CapsuleError('INVALID_TASK_MODULE', `cannot read task module ${file}: no such file`)
    }
    const { compileModule } = await importOptional('compiling a task module', () => import('../compile/index.ts'))
    try {
      const artifact = await compileModule(file, { root, cacheDir: this.cacheDir, defaults: this.defaults, buildTimeout: this.buildTimeout, onEvent, onEngine: this.onEngine })
      const watched = editableInputs([...new Set([file, ...artifact.inputs])])
      return { artifact, watched, stamp: filesStamp(watched), hashes: hashArtifact(artifact) }
    } catch (error) {
      if (error instanceof CapsuleError) throw error
      throw missingDependencyError('compiling a task module', error) ?? new CapsuleError('INVALID_TASK_MODULE', errorMessage(error))
    }
  }
}
