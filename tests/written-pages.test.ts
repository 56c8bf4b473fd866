// The pages of a wasm memory nothing ever wrote (src/shared/written-pages.ts, Linux: /proc/self/
// maps, pagemap and mem): found and proven on plain wasm memories, doubted whenever the mapping
// is not certain; on a real kit and a real module's init, the snapshot's scan that skips them
// keeps exactly what reading every page keeps. (Resets that skip them: tests/isolation.test.ts.)
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { nonZeroRuns, takeSnapshot } from '../src/compile/snapshot/take-snapshot.ts'
import { locateMemory, writableMappings, WrittenPages } from '../src/shared/written-pages.ts'
import { KIT_FILES, type KitMeta } from '../src/compile/snapshot/kit-files.ts'
import { createRuntime } from 'unplugin-capsule/runtime'
import { REPO_ROOT } from './helpers/cli.ts'

const linux = process.platform === 'linux'
const REPO_KITS = join(REPO_ROOT, 'node_modules', '.cache', 'capsule', 'kits')
const written = (pages: Uint8Array) => [...pages.keys()].filter((page) => pages[page] === 1)

afterEach(() => {
  vi.restoreAllMocks()
})

describe('WrittenPages on plain wasm memories', () => {
  it.runIf(linux)('finds a memory by its new mapping and tells the pages written from those never written', () => {
    const before = writableMappings()
    const memory = new WebAssembly.Memory({ initial: 145, maximum: 200 })
    const pages = WrittenPages.locate(memory, before)
    expect(pages).toBeDefined()
    expect(pages!.read(), 'nothing written yet: nothing to prove the mapping with').toBeUndefined()
    memory.grow(3) // grows in place, as the kit's memory does during init
    const bytes = new Uint8Array(memory.buffer)
    bytes[7] = 1
    bytes[4_096 * 1_000 + 9] = 2
    bytes.fill(0, 4_096 * 1_500, 4_096 * 1_501) // written with zeros: written all the same
    bytes[bytes.length - 1] = 3 // in the grown part
    const answer = pages!.read()!
    expect(written(answer)).toEqual([0, 1_000, 1_500, answer.length - 1])
    expect(nonZeroRuns(bytes, answer)).toEqual(nonZeroRuns(bytes))
    expect(nonZeroRuns(bytes, answer).map((run) => run.offset)).toEqual([7, 4_096 * 1_000 + 9, bytes.length - 1])
  })

  it.runIf(linux)('doubts, and so answers nothing, unless exactly one new mapping fits', () => {
    const before = writableMappings()
    const memory = new WebAssembly.Memory({ initial: 150 })
    const other = new WebAssembly.Memory({ initial: 150 })
    expect(WrittenPages.locate(memory, before)).toBeUndefined() // two new mappings of its size
    expect(WrittenPages.locate(other, writableMappings())).toBeUndefined() // nothing new since
    expect(locateMemory(new Set(), memory), 'no /proc: nothing known').toBeUndefined()
  })

  it.runIf(linux)('refuses a mapping whose pages hold other bytes than the memory', () => {
    const first = new WebAssembly.Memory({ initial: 151 })
    const before = writableMappings()
    const second = new WebAssembly.Memory({ initial: 151 })
    const address = locateMemory(before, second)!
    new Uint8Array(first.buffer)[0] = 1
    new Uint8Array(second.buffer)[0] = 2
    // the first memory read through the second one's mapping: the proof fails
    expect(new WrittenPages(first, address).read()).toBeUndefined()
    expect(new WrittenPages(second, address).read()).toBeDefined()
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
    const answers: (Uint8Array | undefined)[] = []
    const read = WrittenPages.prototype.read
    vi.spyOn(WrittenPages.prototype, 'read').mockImplementation(function (this: WrittenPages) {
      const answer = read.call(this)
      answers.push(answer)
      return answer
    })
    const snapshot = takeSnapshot(kit, 'export function run() { return JSON.stringify({ result: { warm: true } }) }\nglobalThis.kept = new Array(50_000).fill(7)')
    expect(answers[0], 'the mapping of the kit\'s memory was not found and proven').toBeDefined()
    expect(answers[0]!.includes(0), 'no page was left unwritten: nothing skipped').toBe(true)
    // The segments are views into the snapshot's memory: read all of it, page by page.
    const memory = new Uint8Array(snapshot.segments[0]!.data.buffer)
    const full = nonZeroRuns(memory)
    expect(snapshot.segments.map((s) => [s.offset, s.data.length])).toEqual(full.map((s) => [s.offset, s.data.length]))
    expect(snapshot.segments.every((s, i) => Buffer.compare(s.data, full[i]!.data) === 0)).toBe(true)
  })
})
