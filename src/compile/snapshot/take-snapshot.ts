// The host's own wizer: runs a task module's top-level code in the shared, spliced (pre-init)
// engine inside V8 and keeps the result — memory size, the non-zero memory and the mutable
// globals — as the module's snapshot. It follows componentize-js 0.23's wizer protocol
// (pinned by tests/snapshot-protocol.test.ts): an environment naming the bindings, stdin with
// the initializer arguments, the bindings and the source read from a preopened directory, then
// `_initialize` and `componentize.wizer`. Only WASI preview1 is used during init; every other
// import traps. Deterministic: fixed clock and random seed (see wasi-preview1.ts).
// Then, still before the memory is kept, one call goes through the guest's `run` export the way
// the runtime calls it (a no-op task, no host import): SpiderMonkey compiles that whole path —
// the export's bindings, string lifting, the call, the result — and every sandbox starts from a
// snapshot where it is done. Without it each call paid it again (~165k fuel for a no-op task
// instead of ~76k), since every call starts from the snapshot.
import type { SnapshotGlobal } from '../../formats/task-data.ts'
import { INIT_EXPORTS, RUN_EXPORT, WARM_UP_TASK, wizerStdin } from './protocol.ts'
import { ProcExit, wasiPreview1 } from './wasi-preview1.ts'
import { PAGE, writableMappings, WrittenPages } from '../../shared/written-pages.ts'
import { errorMessage } from '../../shared/error-message.ts'

/** Where the guest bundle lives inside the snapshot's file system; stacks show this name. */
export const GUEST_SOURCE_NAME = 'capsule-guest.js'
const INITIALIZER_NAME = 'initializer.js'
const WASI_MODULE = 'wasi_snapshot_preview1'
const ZERO_PAGE = Buffer.alloc(PAGE)

export interface SnapshotKitGlobal {
  /** The export name the kit's init module gives the global. */
  exportName: string
  /** The global's index in the shared engine (what task.data records). */
  index: number
  type: number
}

export interface SnapshotKit {
  module: WebAssembly.Module
  /** componentize-js's wizer environment (bindings, features), without SOURCE_NAME. */
  env: [string, string][]
  initializer: Uint8Array
  globals: SnapshotKitGlobal[]
}

export interface Snapshot {
  memoryPages: number
  globals: SnapshotGlobal[]
  segments: { offset: number; data: Uint8Array }[]
}

/** Initialization failed: `output` is what the engine printed (its error message). */
export class SnapshotError extends Error {
  constructor(message: string, readonly output: string) {
    super(message)
  }
}

/** A call the top-level code may not make at build time: why, in the user's terms. */
export class BuildTimeCall extends Error {}

function refusal(from: string): string {
  if (from.startsWith('wasi:random/')) return 'Math.random() and crypto.getRandomValues() cannot run in top-level code: it runs once at build time and must be deterministic; call them inside a task'
  if (from.startsWith('capsule:sandbox/')) return 'files, network, console and sub-tasks are not available in top-level code (it runs at build time): use them inside a task'
  if (from.startsWith('wasi:clocks/')) return 'timers cannot run in top-level code (it runs at build time): use them inside a task'
  return `${from} is not available in top-level code (it runs at build time)`
}

function trappingImports(module: WebAssembly.Module, wasi: Record<string, unknown>): WebAssembly.Imports {
  const imports: Record<string, Record<string, unknown>> = { [WASI_MODULE]: wasi }
  for (const { module: from, name } of WebAssembly.Module.imports(module)) {
    imports[from] ??= {}
    imports[from][name] ??= () => {
      throw new BuildTimeCall(refusal(from))
    }
  }
  return imports as WebAssembly.Imports
}

/**
 * The non-zero parts of memory, in address order: runs of 4 KiB pages that are not all zero,
 * trimmed to their first and last non-zero byte, as views into `memory` (encoding copies them
 * once). Zeros inside a run stay (gzip makes them nearly free); comparing whole pages natively
 * keeps the scan of ~10 MB at a few milliseconds. Pages `written` marks 0 (never written, see
 * shared/written-pages.ts) are zero without being read.
 */
export function nonZeroRuns(memory: Uint8Array, written?: Uint8Array): { offset: number; data: Uint8Array }[] {
  const bytes = Buffer.from(memory.buffer, memory.byteOffset, memory.byteLength)
  const pageCount = Math.ceil(bytes.length / PAGE)
  const isZero = (page: number) => written?.[page] === 0 || bytes.subarray(page * PAGE, (page + 1) * PAGE).equals(ZERO_PAGE.subarray(0, Math.min(PAGE, bytes.length - page * PAGE)))
  const runs: { offset: number; data: Uint8Array }[] = []
  let page = 0
  while (page < pageCount) {
    if (isZero(page)) {
      page++
      continue
    }
    const first = page
    while (page < pageCount && !isZero(page)) page++
    let start = first * PAGE
    while (bytes[start] === 0) start++
    let end = Math.min(page * PAGE, bytes.length)
    while (bytes[end - 1] === 0) end--
    runs.push({ offset: start, data: memory.subarray(start, end) })
  }
  return runs
}

export function takeSnapshot(kit: SnapshotKit, code: string): Snapshot {
  let output = ''
  let memory: WebAssembly.Memory | undefined
  const wasi = wasiPreview1({
    env: [...kit.env, ['SOURCE_NAME', GUEST_SOURCE_NAME]],
    stdin: wizerStdin(`/${INITIALIZER_NAME}`, '/', GUEST_SOURCE_NAME),
    files: new Map([[INITIALIZER_NAME, kit.initializer], [GUEST_SOURCE_NAME, new TextEncoder().encode(code)]]),
    onOutput: (text) => {
      output = (output + text).slice(-64_000)
    },
  }, () => memory!)
  const mappings = writableMappings()
  const instance = new WebAssembly.Instance(kit.module, trappingImports(kit.module, wasi))
  const exports = instance.exports as Record<string, unknown>
  memory = exports.memory as WebAssembly.Memory
  const written = WrittenPages.locate(memory, mappings)
  try {
    ;(exports[INIT_EXPORTS.initialize] as () => void)()
    ;(exports[INIT_EXPORTS.wizer] as () => void)()
  } catch (error) {
    if (error instanceof BuildTimeCall) throw new SnapshotError(error.message, output)
    const reason = error instanceof ProcExit ? 'top-level code failed' : `the engine trapped (${errorMessage(error)})`
    throw new SnapshotError(reason, output)
  }
  const status = (exports[INIT_EXPORTS.checkInit] as () => number)()
  if (status !== 0) throw new SnapshotError(`the engine could not read the module's exports (check_init status ${status})`, output)
  try {
    warmUpCall(kit, exports, memory)
  } catch (error) {
    if (error instanceof BuildTimeCall) throw new SnapshotError(error.message, output)
    throw new SnapshotError(`the warm-up call through the guest's run export failed: ${errorMessage(error)}`, output)
  }
  const bytes = new Uint8Array(memory.buffer)
  const snapshot: Snapshot = {
    memoryPages: memory.buffer.byteLength / 65_536,
    globals: kit.globals.map(({ exportName, index, type }) => ({ index, type, value: (exports[exportName] as WebAssembly.Global).value as number | bigint })),
    segments: nonZeroRuns(bytes, written?.read()),
  }
  return snapshot
}

/** Calls the guest's `run` export once with the warm-up task, as the runtime's glue would. */
function warmUpCall(kit: SnapshotKit, exports: Record<string, unknown>, memory: WebAssembly.Memory): void {
  const env = new Map(kit.env)
  const index = [...env].find(([key, value]) => /^EXPORT\d+_NAME$/.test(key) && value === RUN_EXPORT.env.name)?.[0].slice(0, -'NAME'.length)
  const declared = index && [env.get(`${index}ARGS`), env.get(`${index}RET`), env.get(`${index}RETSIZE`)].join(' ')
  if (declared !== [RUN_EXPORT.env.args, RUN_EXPORT.env.ret, RUN_EXPORT.env.retSize].join(' ')) {
    throw new Error(`the kit does not declare ${RUN_EXPORT.env.name} as (${RUN_EXPORT.env.args}) -> ${RUN_EXPORT.env.ret} (found: ${declared || 'none'})`)
  }
  const realloc = exports[RUN_EXPORT.realloc] as (old: number, oldSize: number, align: number, size: number) => number
  const lower = (text: string): [number, number] => {
    const data = new TextEncoder().encode(text)
    const pointer = realloc(0, 0, 1, data.length)
    new Uint8Array(memory.buffer).set(data, pointer)
    return [pointer, data.length]
  }
  const args = [...lower(WARM_UP_TASK), ...lower('[]'), ...lower('{"env":{},"argv":[],"cwd":"/"}')]
  const answer = (exports[RUN_EXPORT.core] as (...params: number[]) => number)(...args)
  const view = new DataView(memory.buffer)
  const [tag, pointer, length] = [view.getUint8(answer), view.getUint32(answer + 4, true), view.getUint32(answer + 8, true)]
  const text = new TextDecoder().decode(new Uint8Array(memory.buffer, pointer, length))
  ;(exports[RUN_EXPORT.postReturn] as (answer: number) => void)(answer)
  if (tag !== 0 || !text.startsWith('{"result":{"warm":')) throw new Error(`it answered ${tag === 0 ? 'ok' : 'an error'}: ${text.slice(0, 200)}`)
}
