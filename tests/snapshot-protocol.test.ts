// Pins the componentize-js internals the build relies on (src/compile/snapshot/protocol.ts): the
// build splices, stubs and snapshots with componentize-js's own pieces instead of calling
// `componentize()`. If an upgrade changes any of them, this fails loudly, naming what changed:
// update protocol.ts (and PINNED_COMPONENTIZE_JS) only after checking the new protocol.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { createRuntime } from 'unplugin-capsule/runtime'
import { COMPONENTIZE_DEFAULT_FEATURES, INIT_EXPORTS, PINNED_COMPONENTIZE_JS, RUN_EXPORT } from '../src/compile/snapshot/protocol.ts'
import { KIT_FILES, type KitMeta } from '../src/compile/snapshot/kit-files.ts'
import { splitCore } from '../src/compile/engine/split-core.ts'
import { patchEngineSupport } from '../src/compile/engine/patch-glue.ts'
import { DISABLED_FEATURES } from '../src/compile/toolchain.ts'
import { REPO_ROOT } from './helpers/cli.ts'

const componentizeEntry = fileURLToPath(import.meta.resolve('@bytecodealliance/componentize-js'))
const componentizeSource = readFileSync(componentizeEntry, 'utf8')
const packageVersion = (name: string) => {
  const file = join(REPO_ROOT, 'node_modules', name, 'package.json')
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version
}
/** Whitespace-insensitive: formatting changes are not protocol changes. */
const squash = (text: string) => text.replace(/\s+/g, '')

describe('componentize-js internals (pinned)', () => {
  it('is the pinned version, with wizer 10', () => {
    expect(packageVersion('@bytecodealliance/componentize-js')).toBe(PINNED_COMPONENTIZE_JS)
    expect(packageVersion('@bytecodealliance/wizer')).toMatch(/^10\./)
  })

  it.each([
    ['the default features', `DEFAULT_FEATURES = ${JSON.stringify(COMPONENTIZE_DEFAULT_FEATURES).replace(/"/g, "'").replace(/,/g, ', ')}`],
    ['the splicer call', 'splicer.spliceBindings(await readFile(engine), [...features], witWorld, maybeWindowsPath(witPath), worldName, false,)'],
    ['the stubbing call', 'splicer.stubWasi(bin, [...features], witWorld, maybeWindowsPath(witPath), worldName,)'],
    ['the environment: debug and source', "DEBUG: enableWizerLogging ? '1' : '', SOURCE_NAME: sourceName,"],
    ['the environment: exports', "EXPORT_CNT: exports.length.toString(), FEATURE_CLOCKS: features.has('clocks') ? '1' : '',"],
    ['the environment: each export', "env[`EXPORT${idx}_NAME`] = export_name; env[`EXPORT${idx}_ARGS`] = (expt.paramptr ? '*' : '') + expt.params.join(','); env[`EXPORT${idx}_RET`] = (expt.retptr ? '*' : '') + (expt.ret || ''); env[`EXPORT${idx}_RETSIZE`] = String(expt.retsize);"],
    ['the environment: each import', 'env[`IMPORT${i}_NAME`] = imports[i][1]; env[`IMPORT${i}_ARGCNT`] = String(imports[i][2]);'],
    ['the environment: import count', "env['IMPORT_CNT'] = imports.length;"],
    ['the stdin arguments', 'let args = `--initializer-script-path ${initializerPath} --strip-path-prefix ${workspacePrefix}/ ${sourcePath}`;'],
    ['the init function', `'--init-func', '${INIT_EXPORTS.wizer}',`],
    ['wizer with WASI and bulk memory', "'--allow-wasi',"],
    ['the bulk-memory flag', '`--wasm-bulk-memory=true`,'],
    ['the init status check', 'const CHECK_INIT_RETURN_OK = 0;'],
    ['the adapter', 'preview2Adapter = preview1AdapterReactorPath(),'],
    ['the component wrapping', 'componentNew(finalBin, Object.entries({ wasi_snapshot_preview1: await readFile(preview2Adapter), }), false,)'],
    ['the producers metadata', "language: [['JavaScript', '']], 'processed-by': [['ComponentizeJS', version]],"],
    ['the engine binary', '`../lib/starlingmonkey_embedding${debugSuffix}.wasm`'],
  ])('still has %s', (_what, fragment) => {
    expect(squash(componentizeSource)).toContain(squash(fragment))
  })
})

describe('the snapshot kit built from those internals', () => {
  let kitDir: string
  let meta: KitMeta

  beforeAll(async () => {
    // Any compile makes sure the project's kit exists.
    const runtime = createRuntime({ cwd: REPO_ROOT })
    try {
      const envelope = await runtime.run({ file: 'fixtures/build/stack.capsule.ts' })
      expect(envelope.success).toBe(true)
    } finally {
      await runtime.close()
    }
    const kits = join(REPO_ROOT, 'node_modules', '.cache', 'capsule', 'kits')
    const newest = readdirSync(kits).filter((name) => existsSync(join(kits, name, KIT_FILES.meta)))
      .sort((a, b) => statSync(join(kits, b)).mtimeMs - statSync(join(kits, a)).mtimeMs)[0]!
    kitDir = join(kits, newest)
    meta = JSON.parse(readFileSync(join(kitDir, KIT_FILES.meta), 'utf8')) as KitMeta
  }, 600_000)

  it('has the init exports wizer calls, the memory and the exported stack pointer', () => {
    const module = new WebAssembly.Module(readFileSync(join(kitDir, KIT_FILES.initWasm)))
    const exports = WebAssembly.Module.exports(module).map((entry) => `${entry.kind}:${entry.name}`)
    expect(exports).toEqual(expect.arrayContaining([
      `function:${INIT_EXPORTS.initialize}`, `function:${INIT_EXPORTS.wizer}`, `function:${INIT_EXPORTS.checkInit}`, 'memory:memory',
      `function:${RUN_EXPORT.core}`, `function:${RUN_EXPORT.postReturn}`, `function:${RUN_EXPORT.realloc}`,
    ]))
    expect(meta.globals).toHaveLength(1)
    expect(exports).toContain(`global:${meta.globals[0]!.exportName}`)
  })

  it('describes our world to the engine the way componentize-js does', () => {
    const env = new Map(meta.env)
    expect(env.get('EXPORT_CNT')).toBe('1')
    expect(env.get('EXPORT0_NAME')).toBe(RUN_EXPORT.env.name)
    // The canonical-ABI shape the snapshot's warm-up call lowers its strings to (take-snapshot.ts).
    expect([env.get('EXPORT0_ARGS'), env.get('EXPORT0_RET'), env.get('EXPORT0_RETSIZE')]).toEqual([RUN_EXPORT.env.args, RUN_EXPORT.env.ret, RUN_EXPORT.env.retSize])
    expect(env.get('FEATURE_CLOCKS')).toBe('1')
    expect(Number(env.get('IMPORT_CNT'))).toBe(10)
    expect(env.get('IMPORT0_NAME')).toBe('log')
    expect(readFileSync(join(kitDir, KIT_FILES.initializer), 'utf8')).toContain('export_run')
  })

  it('yields the same runnable engine as a full componentize-js run', async () => {
    // componentize-js reads the WIT through preview2-shim's filesystem (see componentize-worker.ts).
    const filesystem = (await import('@bytecodealliance/preview2-shim/filesystem')) as unknown as { _setPreopens(p: Record<string, string>): void }
    filesystem._setPreopens({ '/': '/' })
    const { componentize } = await import('@bytecodealliance/componentize-js')
    const { transpile } = await import('@bytecodealliance/jco')
    const dir = mkdtempSync(join(tmpdir(), 'capsule-protocol-'))
    try {
      const sourcePath = join(dir, 'guest.js')
      writeFileSync(sourcePath, 'export function run(task, args, context) { return "{}" }\n')
      const { component } = await componentize({
        sourcePath, witPath: join(REPO_ROOT, 'wit', 'capsule.wit'), worldName: 'capsule', disableFeatures: DISABLED_FEATURES as never,
      })
      const { files } = await transpile(component, { name: 'component', instantiation: 'sync', noTypescript: true, quiet: true })
      const split = splitCore(files['component.core.wasm']!)
      expect(split.engineKey).toBe(meta.engineKey)
      const engineDir = join(REPO_ROOT, 'node_modules', '.cache', 'capsule', 'engines', meta.engineId)
      // The engine store patches the glue and its adapters the same way on either path.
      const support = patchEngineSupport(new Map(meta.supportFiles.map((name) => [name, files[name]!])))
      for (const name of meta.supportFiles) expect(Buffer.from(support.get(name)!).equals(readFileSync(join(engineDir, name))), name).toBe(true)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 600_000)
})
