// The engine instrumented early (from the stubbed module, before componentNew and transpile) is
// carried over to the real engine only when that gives the very bytes instrumenting the real
// engine gives: on small modules made with binaryen, and on the shared engine the build stored.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import binaryen from 'binaryen'
import { describe, expect, it } from 'vitest'
import { ENGINE_FILE, ENGINE_META, PLAIN_ENGINE_FILE } from '../src/formats/layout.ts'
import { carryOver, earlyCore } from '../src/compile/engine/early-engine.ts'
import { instrumentFuel } from '../src/compile/engine/instrument-fuel.ts'
import { INSTRUMENTATION_VERSION, MIN_REGION } from '../src/compile/engine/instrumentation.ts'
import { customSectionName, readSections } from '../src/compile/engine/wasm-reader.ts'
import { REPO_ROOT } from './helpers/cli.ts'

/** A module with a loop and a call (so the instrumentation has work), and the given custom sections. */
function smallModule(custom: [string, string][], loopBound = 10): Uint8Array {
  const module = new binaryen.Module()
  module.addFunction('leaf', binaryen.none, binaryen.i32, [], module.i32.const(1))
  module.addFunction('count', binaryen.none, binaryen.i32, [binaryen.i32], module.block(null, [
    module.loop('again', module.block(null, [
      module.local.set(0, module.i32.add(module.local.get(0, binaryen.i32), module.call('leaf', [], binaryen.i32))),
      module.br('again', module.i32.lt_s(module.local.get(0, binaryen.i32), module.i32.const(loopBound))),
    ])),
    module.local.get(0, binaryen.i32),
  ], binaryen.i32))
  module.addFunctionExport('count', 'count')
  for (const [name, text] of custom) module.addCustomSection(name, new TextEncoder().encode(text))
  const bytes = module.emitBinary()
  module.dispose()
  return bytes
}

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b))

describe('the engine instrumented early', () => {
  it('is carried over to an engine that differs only in its producers section, byte for byte as if instrumented itself', () => {
    const early = smallModule([['producers', 'early tools']])
    const real = smallModule([['producers', 'early tools, then wit-component']])
    const carried = carryOver(instrumentFuel(early).wasm, early, real)
    expect(carried).toBeDefined()
    expect(same(carried!, instrumentFuel(real).wasm)).toBe(true)
  })

  it('is the real one when both are the same module', () => {
    const module = smallModule([['producers', 'tools']])
    const instrumented = instrumentFuel(module).wasm
    expect(same(carryOver(instrumented, module, module)!, instrumented)).toBe(true)
  })

  it('is not carried over when the code differs, or a section binaryen does not copy verbatim', () => {
    const early = smallModule([['producers', 'tools']])
    expect(carryOver(instrumentFuel(early).wasm, early, smallModule([['producers', 'tools']], 11))).toBeUndefined()
    expect(carryOver(instrumentFuel(early).wasm, early, smallModule([['producers', 'tools'], ['extra', 'x']]))).toBeUndefined()
    // binaryen drops the name section: a difference there cannot be carried over.
    const named = smallModule([['name', '\u0000\u0002\u0001x'], ['producers', 'tools']])
    expect(carryOver(instrumentFuel(named).wasm, named, smallModule([['name', '\u0000\u0002\u0001y'], ['producers', 'tools']]))).toBeUndefined()
  })

  it('is made from the stubbed module without its component-type section', () => {
    const stubbed = smallModule([['producers', 'tools'], ['component-type', 'world'], ['component-type:capsule', 'more']])
    const names = readSections(earlyCore(stubbed)).map((s) => customSectionName(earlyCore(stubbed), s)).filter(Boolean)
    expect(names).toEqual(['producers'])
  })

  it('gave the shared engine the build stored: its bytes are those of instrumenting its plain engine', () => {
    const engines = join(REPO_ROOT, 'node_modules/.cache/capsule/engines')
    // (Engines of an older instrumentation may linger in the cache: those are not today's.)
    const current = (id: string) => {
      const meta = JSON.parse(readFileSync(join(engines, id, ENGINE_META), 'utf8')) as { instrumentation: number; minRegion: number }
      return meta.instrumentation === INSTRUMENTATION_VERSION && meta.minRegion === MIN_REGION
    }
    const built = readdirSync(engines).filter((id) => existsSync(join(engines, id, ENGINE_META)) && existsSync(join(engines, id, PLAIN_ENGINE_FILE)) && current(id))
    expect(built.length).toBeGreaterThan(0) // `npm run build` builds it (the snippet module)
    for (const id of built) {
      const direct = instrumentFuel(readFileSync(join(engines, id, PLAIN_ENGINE_FILE))).wasm
      expect(same(direct, readFileSync(join(engines, id, ENGINE_FILE))), id).toBe(true)
    }
  }, 120_000)
})
