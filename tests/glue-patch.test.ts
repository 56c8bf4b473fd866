// The build-time patch of jco's glue is tied to one jco version and to the exact code it
// rewrites. This test fails loudly when jco changes: a different installed version, or glue
// (made here by the real componentize-js + jco, the way compile/ makes it) whose patched spots
// moved. It also checks that the engine a build emits carries the patched glue and adapters.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GluePatchError, patchEngineSupport, patchGlue, PATCHED_JCO_VERSION } from '../src/compile/engine/patch-glue.ts'
import { DISABLED_FEATURES } from '../src/compile/toolchain.ts'
import { ADAPTER_GLOBAL_PREFIX } from '../src/formats/glue-hook.ts'
import { GLUE_FILE, MAIN_CORE } from '../src/formats/layout.ts'
import { manifestArtifact } from '../src/runtime/manifest.ts'
import { REPO_ROOT, runCli } from './helpers/cli.ts'

const GUEST = `import { log } from 'capsule:sandbox/host@0.1.0'
export function run(task, args, context) { log('info', task); return args }
`

describe('the glue patch', () => {
  let work: string
  let pristine: Map<string, Uint8Array>

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'capsule-glue-patch-'))
    writeFileSync(join(work, 'guest.js'), GUEST)
    const filesystem = (await import('@bytecodealliance/preview2-shim/filesystem')) as unknown as { _setPreopens(p: Record<string, string>): void }
    filesystem._setPreopens({ '/': '/' })
    const { componentize } = await import('@bytecodealliance/componentize-js')
    const { component } = await componentize({
      sourcePath: join(work, 'guest.js'),
      witPath: join(REPO_ROOT, 'wit', 'capsule.wit'),
      worldName: 'capsule',
      disableFeatures: DISABLED_FEATURES as never,
    })
    const { transpile } = await import('@bytecodealliance/jco')
    const { files } = await transpile(component, { name: 'component', instantiation: 'sync', noTypescript: true, quiet: true })
    pristine = new Map(Object.entries(files).filter(([name]) => name !== MAIN_CORE && (name.endsWith('.wasm') || name === GLUE_FILE)))
  }, 180_000)
  afterAll(() => rmSync(work, { recursive: true, force: true }))

  it(`is written for the installed jco (${PATCHED_JCO_VERSION}): a jco upgrade must re-verify it`, () => {
    const installed = JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', '@bytecodealliance', 'jco', 'package.json'), 'utf8')) as { version: string }
    expect(installed.version).toBe(PATCHED_JCO_VERSION)
  })

  it('finds every spot it rewrites in the glue jco generates today', () => {
    const glue = new TextDecoder().decode(pristine.get(GLUE_FILE))
    const patched = patchGlue(glue)
    expect(patched).toContain("typeof WebAssembly.promising === 'function'")
    expect(patched).not.toMatch(/\n {2}try \{\n {4}\w+ = WebAssembly\.promising/)
    expect(patched.match(/process\??\.env/g)).toHaveLength(1)
    expect(patched.match(/const __capsuleDirect\d+ = /g)).toHaveLength(3)
    expect(patched).toContain("[Symbol.for('unplugin-capsule:glue-hook')]: __capsuleGlueHook")
  })

  it('refuses, loudly, glue whose patched code changed', () => {
    const glue = new TextDecoder().decode(pristine.get(GLUE_FILE))
    expect(() => patchGlue(glue.replace('WebAssembly.promising(exports1.cabi_realloc)', 'WebAssembly.promising(exports1.cabi_realloc, 1)'))).toThrow(GluePatchError)
    expect(() => patchGlue(glue.replace('let curResourceBorrows = [];', 'let curResourceBorrows = new Set();'))).toThrow(/jco 1\.35\.0/)
    expect(() => patchGlue(glue.replace(/#now';/, "#now2';"))).toThrow(/monotonic-clock#now/)
  })

  it('exports the adapter\'s mutable globals', async () => {
    const patched = patchEngineSupport(pristine)
    const exported = [...patched].filter(([name]) => name.endsWith('.wasm')).flatMap(([, bytes]) =>
      WebAssembly.Module.exports(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>)).map((e) => e.name).filter((name) => name.startsWith(ADAPTER_GLOBAL_PREFIX)))
    expect(exported.length).toBeGreaterThanOrEqual(3)
  })

  it('is what a build emits: the engine of a built module carries exactly this patched glue', async () => {
    const outDir = join(work, 'out')
    const built = await runCli(['build', 'fixtures/isolation.capsule.ts', '--out-dir', outDir])
    expect(built.code, built.stderr).toBe(0)
    const { artifact } = manifestArtifact(join(outDir, 'capsule.manifest.json'), 'counter', REPO_ROOT)
    const emitted = readFileSync(join(artifact.engine.dir, GLUE_FILE), 'utf8')
    expect(emitted).toBe(patchGlue(new TextDecoder().decode(pristine.get(GLUE_FILE))))
  }, 300_000)
})
