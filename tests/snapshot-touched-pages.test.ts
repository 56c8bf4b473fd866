// The snapshot's scan skips the pages of the kit's memory that nothing wrote
// (src/compile/snapshot/touched-pages.ts, Linux: /proc/self/maps, pagemap and mem): found and
// proven on plain wasm memories, doubted whenever the mapping is not certain, and — on a real
// kit, a real module's init — the skipping scan answers exactly what reading every page answers.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { nonZeroRuns, takeSnapshot } from '../src/compile/snapshot/take-snapshot.ts'
import { locateMemory, touchedPages, writableMappings } from '../src/compile/snapshot/touched-pages.ts'
import { KIT_FILES, type KitMeta } from '../src/compile/snapshot/kit-files.ts'
import { createRuntime } from 'unplugin-capsule/runtime'
import { REPO_ROOT } from './helpers/cli.ts'

/** What touchedPages answered inside takeSnapshot (the module's own function, only watched). */
const answers = vi.hoisted(() => [] as (Uint8Array | undefined)[])
vi.mock('../src/compile/snapshot/touched-pages.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/compile/snapshot/touched-pages.ts')>()
  return {
    ...original,
    touchedPages: (...args: Parameters<typeof original.touchedPages>) => {
      const answer = original.touchedPages(...args)
      answers.push(answer)
      return answer
    },
  }
})

const linux = process.platform === 'linux'
const REPO_KITS = join(REPO_ROOT, 'node_modules', '.cache', 'capsule', 'kits')

describe('touchedPages (Linux: /proc/self/maps, pagemap and mem)', () => {
  const linux = process.platform === 'linux'

  it.runIf(linux)('finds a wasm memory by its new mapping and tells the pages written from those never written', () => {
    const before = writableMappings()
    const memory = new WebAssembly.Memory({ initial: 145, maximum: 200 })
    const address = locateMemory(before, memory)
    expect(address).toBeTypeOf('bigint')
    memory.grow(3) // grows in place, as the kit's memory does during init
    const bytes = new Uint8Array(memory.buffer)
    bytes[7] = 1
    bytes[4_096 * 1_000 + 9] = 2
    bytes.fill(0, 4_096 * 1_500, 4_096 * 1_501) // written with zeros: written all the same
    bytes[bytes.length - 1] = 3 // in the grown part
    const touched = touchedPages(memory, address)!
    expect([...touched.keys()].filter((page) => touched[page] === 1)).toEqual([0, 1_000, 1_500, touched.length - 1])
    const runs = nonZeroRuns(bytes, touched)
    expect(runs).toEqual(nonZeroRuns(bytes))
    expect(runs.map((run) => run.offset)).toEqual([7, 4_096 * 1_000 + 9, bytes.length - 1])
  })

  it.runIf(linux)('doubts, and so answers nothing, unless exactly one new mapping fits', () => {
    const before = writableMappings()
    const memory = new WebAssembly.Memory({ initial: 150 })
    const other = new WebAssembly.Memory({ initial: 150 })
    expect(locateMemory(before, memory)).toBeUndefined() // two new mappings of its size
    expect(locateMemory(writableMappings(), other)).toBeUndefined() // nothing new since
    expect(touchedPages(memory, undefined)).toBeUndefined()
  })

  it.runIf(linux)('refuses a mapping whose pages hold other bytes than the memory', () => {
    const before = writableMappings()
    const first = new WebAssembly.Memory({ initial: 151 })
    const firstAddress = locateMemory(before, first)!
    const second = new WebAssembly.Memory({ initial: 151 })
    new Uint8Array(first.buffer)[0] = 1
    new Uint8Array(second.buffer)[0] = 2
    expect(touchedPages(second, firstAddress)).toBeUndefined()
    expect(touchedPages(first, firstAddress)).toBeDefined()
  })
})

describe('a real snapshot (the project\'s kit, a real module)', () => {
  let kitDir: string

  beforeAll(async () => {
    // The kit exists once anything has been built with this toolchain.
    const warm = createRuntime({ cwd: REPO_ROOT })
    try {
      expect((await warm.run({ file: 'fixtures/basics.capsule.ts', task: 'add', args: [1, 2] })).success).toBe(true)
    } finally {
      await warm.close()
    }
    const newest = readdirSync(REPO_KITS).filter((name) => existsSync(join(REPO_KITS, name, KIT_FILES.meta)))
      .sort((a, b) => statSync(join(REPO_KITS, b, KIT_FILES.meta)).mtimeMs - statSync(join(REPO_KITS, a, KIT_FILES.meta)).mtimeMs)[0]!
    kitDir = join(REPO_KITS, newest)
  }, 600_000)

  it.runIf(linux)('skips pages, and keeps exactly what reading every page keeps', async () => {
    const meta = JSON.parse(readFileSync(join(kitDir, KIT_FILES.meta), 'utf8')) as KitMeta
    const kit = {
      module: await WebAssembly.compile(readFileSync(join(kitDir, KIT_FILES.initWasm))),
      env: meta.env,
      initializer: readFileSync(join(kitDir, KIT_FILES.initializer)),
      globals: meta.globals,
    }
    answers.length = 0
    const snapshot = takeSnapshot(kit, 'export function run() { return JSON.stringify({ result: { warm: true } }) }\nglobalThis.kept = new Array(50_000).fill(7)')
    const touched = answers[0]
    expect(touched, 'the mapping of the kit\'s memory was not found and proven').toBeDefined()
    const skipped = touched!.filter((page) => page === 0).length
    expect(skipped, 'no page was left unwritten: nothing skipped, nothing proven').toBeGreaterThan(0)
    // The segments are views into the snapshot's memory: read all of it, page by page.
    const memory = new Uint8Array(snapshot.segments[0]!.data.buffer)
    const full = nonZeroRuns(memory)
    expect(snapshot.segments.map((s) => [s.offset, s.data.length])).toEqual(full.map((s) => [s.offset, s.data.length]))
    expect(snapshot.segments.every((s, i) => Buffer.compare(s.data, full[i]!.data) === 0)).toBe(true)
  })
})
