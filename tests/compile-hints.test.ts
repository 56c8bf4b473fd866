// The snapshot kit's compile hints (src/compile/snapshot/compile-hints.ts, kit-hints.ts): learned
// from V8's own trace of the first snapshot on a kit that has none, kept beside the kit, and then
// given to V8 as a "compilationHints" section so later snapshot processes compile ahead what a
// snapshot reaches. Hints decide when code is compiled, never what it does: a snapshot taken with
// them is byte for byte the one taken without. If V8 changes the section's format or its trace
// lines, this fails loudly. They are used only where cores are to spare (more than two), so the
// snapshots here ask for them with CAPSULE_COMPILE_HINTS=1.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRuntime } from 'unplugin-capsule/runtime'
import { functionLayout, HINTS_SECTION, readHintedModule } from '../src/compile/snapshot/compile-hints.ts'
import { compileHintsWanted, hintsFile, readKitHints, tracedFunctions, type KitHints } from '../src/compile/snapshot/kit-hints.ts'
import { KIT_FILES } from '../src/compile/snapshot/kit-files.ts'
import { REPO_ROOT } from './helpers/cli.ts'
import { makeProject } from './helpers/project.ts'
import { copyCacheDir } from './helpers/cache-copy.ts'
import { newestKit, REPO_CACHE, warmRepoCache } from './helpers/kits.ts'

const temporary: string[] = []
let cacheDir: string
let kitDir: string

afterAll(() => {
  delete process.env.CAPSULE_COMPILE_HINTS
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true })
})

/** The project's kit and engines copied into a cache of this test's own, without any hints. */
beforeAll(async () => {
  await warmRepoCache()
  cacheDir = mkdtempSync(join(tmpdir(), 'capsule-hints-cache-'))
  temporary.push(cacheDir)
  copyCacheDir(join(REPO_CACHE, 'kits'), join(cacheDir, 'kits'))
  copyCacheDir(join(REPO_CACHE, 'engines'), join(cacheDir, 'engines'))
  const kits = join(cacheDir, 'kits')
  kitDir = newestKit(kits)
  rmSync(join(kits, 'hints'), { recursive: true, force: true })
}, 600_000)

async function waitFor<T>(read: () => T | undefined, ms: number): Promise<T | undefined> {
  const until = Date.now() + ms
  for (;;) {
    const value = read()
    if (value !== undefined || Date.now() > until) return value
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('the compilationHints section', () => {
  it('marks exactly the hinted functions eager, between the function and the code sections', () => {
    const path = join(kitDir, KIT_FILES.initWasm)
    const plain = readFileSync(path)
    const imported = WebAssembly.Module.imports(new WebAssembly.Module(plain)).filter((entry) => entry.kind === 'function').length
    const layout = functionLayout(plain)
    expect(layout.importedFunctions).toBe(imported)
    expect(layout.declaredFunctions).toBeGreaterThan(10_000)
    const eager = [imported, imported + 5, imported + layout.declaredFunctions - 1]
    const hinted = readHintedModule(path, [...eager, imported - 1, imported + layout.declaredFunctions])
    // Without V8's flag the section is an ordinary custom section: the module compiles unchanged.
    const [section] = WebAssembly.Module.customSections(new WebAssembly.Module(hinted), HINTS_SECTION)
    const bytes = new Uint8Array(section!)
    const hints = bytes.subarray(bytes.length - layout.declaredFunctions)
    expect([...hints.entries()].filter(([, hint]) => hint !== 0)).toEqual([[0, 0x16], [5, 0x16], [layout.declaredFunctions - 1, 0x16]])
    // Everything but the inserted section is the module's own bytes, in order.
    const inserted = hinted.length - plain.length
    expect(Buffer.from(hinted.subarray(0, layout.codeSectionStart)).equals(plain.subarray(0, layout.codeSectionStart))).toBe(true)
    expect(Buffer.from(hinted.subarray(layout.codeSectionStart + inserted)).equals(plain.subarray(layout.codeSectionStart))).toBe(true)
  })

  it('is read by V8 with its flag: one hint per declared function', () => {
    const hinted = join(mkdtempSync(join(tmpdir(), 'capsule-hints-module-')), 'init.hinted.wasm')
    temporary.push(join(hinted, '..'))
    writeFileSync(hinted, readHintedModule(join(kitDir, KIT_FILES.initWasm), [1_000]))
    const script = `new WebAssembly.Module(require('node:fs').readFileSync(${JSON.stringify(hinted)})); console.log('compiled')`
    const out = execFileSync(process.execPath, ['--experimental-wasm-compilation-hints', '--liftoff-only', '-e', script], { encoding: 'utf8' })
    expect(out.trim()).toBe('compiled')
  })
})

describe('kit hints', () => {
  it('reads the function indices out of V8\'s compile trace', () => {
    const trace = [
      'Compiled WasmToJS wrapper wasm-to-js-5-iii-i, took 2 ms; codesize 164',
      'Compiled function 0x7f96d4000b80#91 using Liftoff, took 0 ms and 64776 bytes; bodysize 8215 codesize 10480',
      'Compiled function 0x7f6798005270#5059 using Liftoff, took 0 ms and 17336 bytes; bodysize 147 codesize 264',
      'Compiled function 0x7f6798005270#50',
    ].join('\n')
    expect(tracedFunctions(trace)).toEqual([91, 5059])
  })

  it('are ignored when they were learned on another engine or are malformed', () => {
    const kits = mkdtempSync(join(tmpdir(), 'capsule-hints-kits-'))
    temporary.push(kits)
    const dir = join(kits, 'a-kit')
    mkdirSync(join(kits, 'hints'))
    mkdirSync(dir)
    writeFileSync(join(dir, KIT_FILES.initWasm), new Uint8Array(64))
    const write = (hints: unknown) => writeFileSync(hintsFile(dir), JSON.stringify(hints))
    write({ format: 1, initBytes: 64, eager: [3, 9] })
    expect(readKitHints(dir)?.eager).toEqual([3, 9])
    write({ format: 1, initBytes: 65, eager: [3, 9] })
    expect(readKitHints(dir)).toBeUndefined()
    write({ format: 1, initBytes: 64, eager: [3, -1] })
    expect(readKitHints(dir)).toBeUndefined()
    writeFileSync(hintsFile(dir), '{ not json')
    expect(readKitHints(dir)).toBeUndefined()
  })

  it('are wanted with more than two cores, or as CAPSULE_COMPILE_HINTS says', () => {
    const setting = process.env.CAPSULE_COMPILE_HINTS
    try {
      delete process.env.CAPSULE_COMPILE_HINTS
      expect(compileHintsWanted()).toBe(availableParallelism() > 2)
      process.env.CAPSULE_COMPILE_HINTS = '1'
      expect(compileHintsWanted()).toBe(true)
      process.env.CAPSULE_COMPILE_HINTS = '0'
      expect(compileHintsWanted()).toBe(false)
    } finally {
      if (setting === undefined) delete process.env.CAPSULE_COMPILE_HINTS
      else process.env.CAPSULE_COMPILE_HINTS = setting
    }
  })

  it('are learned from the first snapshot on a kit without them, and change no snapshot byte', async () => {
    // Asked for whatever the core count: the snapshot processes inherit this environment.
    process.env.CAPSULE_COMPILE_HINTS = '1'
    const root = makeProject('hints', {}, { 'basics.capsule.ts': join(REPO_ROOT, 'fixtures/basics.capsule.ts') })
    temporary.push(root)
    const taskData = async () => {
      // Each build cold: no remembered bundle, no cached snapshot.
      rmSync(join(cacheDir, 'components'), { recursive: true, force: true })
      rmSync(join(cacheDir, 'sources'), { recursive: true, force: true })
      const runtime = createRuntime({ cwd: root, cacheDir })
      try {
        expect(await runtime.run({ file: 'basics.capsule.ts', task: 'add', args: [2, 3] })).toMatchObject({ success: true, result: 5 })
      } finally {
        await runtime.close()
      }
      const [entry] = readdirSync(join(cacheDir, 'components')).filter((name) => !name.includes('.'))
      return readFileSync(join(cacheDir, 'components', entry!, 'task.data'))
    }

    expect(readKitHints(kitDir)).toBeUndefined()
    const withoutHints = await taskData()
    const hints = await waitFor<KitHints>(() => readKitHints(kitDir), 20_000)
    expect(hints, 'the first snapshot process left no hints').toBeDefined()
    const layout = functionLayout(readFileSync(join(kitDir, KIT_FILES.initWasm)))
    expect(hints!.eager.length).toBeGreaterThan(500)
    expect(hints!.eager.every((index) => index >= layout.importedFunctions && index < layout.importedFunctions + layout.declaredFunctions)).toBe(true)
    // The traces are gone, and the kit's own folder is as it was built.
    expect(readdirSync(join(kitDir, '..', 'hints')).filter((name) => name.includes('.trace-'))).toEqual([])
    expect(readdirSync(kitDir).sort()).toEqual(Object.values(KIT_FILES).sort())

    const withHints = await taskData()
    expect(withHints.equals(withoutHints)).toBe(true)
  }, 600_000)
})
