// Build time: patches the glue jco generates for the engine, so a sandbox is cheap to make and
// can be reset in place. Written against jco PATCHED_JCO_VERSION; every edit checks that the
// exact code it rewrites is there (and how often), so a jco that generates different code is
// refused here, never patched halfway (tests/glue-patch.test.ts fails loudly on such a jco).
// The edits:
//  - `WebAssembly.promising` is only called when it exists: on Node 20 the two try/catch blocks
//    threw, and V8 re-parsed the 300 KB glue to word the error (~2.5 ms per instance).
//  - `JCO_DEBUG` is read once per instantiation, not in every import call (process.env is slow),
//    and debug-log call sites skip building their arguments when it is off.
//  - the monotonic clock, the wall clock and `get-random-u64` (plain numbers, no resources) are
//    called directly instead of through jco's per-call task bookkeeping (~13 µs a call).
//  - the instantiation returns a hook (formats/glue-hook.ts) that reports whether the
//    glue's JS state is idle and empties its resource handle tables, for the in-place reset.
// The adapter core modules get their mutable globals exported (export-adapter-globals.ts).
import { parseSync } from 'oxc-parser'
import { GLUE_FILE } from '../../formats/layout.ts'
import { exportAdapterGlobals } from './export-adapter-globals.ts'
import { PATCHED_JCO_VERSION } from './glue-patch-version.ts'

export { GLUE_PATCH_VERSION, PATCHED_JCO_VERSION } from './glue-patch-version.ts'

export class GluePatchError extends Error {
  constructor(message: string) {
    super(`${message} (the glue patch was written for jco ${PATCHED_JCO_VERSION}; re-check src/compile/engine/patch-glue.ts against the installed jco)`)
  }
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** Replaces every match of `pattern`, insisting on how many there are. */
function replaceCounted(glue: string, pattern: RegExp, expected: number | 'some', replacement: (...groups: string[]) => string, what: string): string {
  let found = 0
  const out = glue.replace(pattern, (...match: unknown[]) => {
    found++
    return replacement(...(match.slice(0, -2) as string[]))
  })
  if (expected === 'some' ? found === 0 : found !== expected) {
    throw new GluePatchError(`jco glue: expected ${expected === 'some' ? 'at least one' : expected} ${what}, found ${found}`)
  }
  return out
}

function requireText(glue: string, text: string, what: string): void {
  if (!glue.includes(text)) throw new GluePatchError(`jco glue: ${what} not found (\`${text}\`)`)
}

function guardPromising(glue: string): string {
  return replaceCounted(
    glue,
    /\n  try \{\n    (\w+) = WebAssembly\.promising\(([\w$.]+)\);\n  \} catch\(err\) \{\n    \1 = \2;\n  \}\n/g,
    2,
    (_all, target, fn) => `\n  if (typeof WebAssembly.promising === 'function') {\n    try { ${target} = WebAssembly.promising(${fn}); } catch (err) { ${target} = ${fn}; }\n  } else {\n    ${target} = ${fn};\n  }\n`,
    '`WebAssembly.promising` try/catch blocks',
  )
}

function readDebugFlagOnce(glue: string): string {
  let out = replaceCounted(glue, /\n  const _debugLog = \(\.\.\.args\) => \{\n    if \(!globalThis\?\.process\?\.env\?\.JCO_DEBUG\) \{ return; \}\n/g, 1,
    () => '\n  const __capsuleJcoDebug = Boolean(globalThis?.process?.env?.JCO_DEBUG);\n  const _debugLog = (...args) => {\n    if (!__capsuleJcoDebug) { return; }\n',
    '`_debugLog` reading JCO_DEBUG')
  out = replaceCounted(out, /^([ \t]*)_debugLog\(/gm, 'some', (_all, indent) => `${indent}__capsuleJcoDebug && _debugLog(`, '`_debugLog(` call statements')
  const left = out.split('\n').filter((line) => /process\??\.env/.test(line) && !line.includes('const __capsuleJcoDebug ='))
  if (left.length > 0) throw new GluePatchError(`jco glue: environment reads left unpatched: ${left.join(' | ').trim()}`)
  return out
}

interface DirectImport {
  /** `iface#name` as the glue labels its trampoline (`_trampolineN.fnName`), version aside. */
  iface: string
  fn: string
  /** The host function's local name in the glue. */
  host: string
  /** The exact result lowering the trampoline does after the host call. */
  lowering: string
  /** The direct replacement, given the trampoline's parameter list. */
  direct: string
}

const DIRECT_IMPORTS: DirectImport[] = [
  {
    iface: 'wasi:clocks/monotonic-clock', fn: 'now', host: 'now',
    lowering: '    return toUint64(ret);\n',
    direct: '() => toUint64(now())',
  },
  {
    iface: 'wasi:random/random', fn: 'getRandomU64', host: 'getRandomU64',
    lowering: '    return toUint64(ret);\n',
    direct: '() => toUint64(getRandomU64())',
  },
  {
    iface: 'wasi:clocks/wall-clock', fn: 'now$1', host: 'now$1',
    lowering: [
      '    var {seconds: v0_0, nanoseconds: v0_1 } = ret;',
      '    dataView(memory0).setBigInt64(arg0 + 0, toUint64(v0_0), true);',
      '    dataView(memory0).setInt32(arg0 + 8, toUint32(v0_1), true);',
      '',
    ].join('\n'),
    direct: '(arg0) => { const { seconds, nanoseconds } = now$1(); dataView(memory0).setBigInt64(arg0 + 0, toUint64(seconds), true); dataView(memory0).setInt32(arg0 + 8, toUint32(nanoseconds), true); }',
  },
]

function callDirectly(glue: string, spec: DirectImport): string {
  const label = new RegExp(`\\n  _trampoline(\\d+)\\.fnName = '${escape(spec.iface)}@[\\d.]+#${escape(spec.fn)}';\\n`, 'g')
  const labels = [...glue.matchAll(label)]
  if (labels.length !== 1) throw new GluePatchError(`jco glue: expected one trampoline for ${spec.iface}#${spec.fn}, found ${labels.length}`)
  const index = labels[0]![1]!
  const start = glue.indexOf(`\n  const _trampoline${index} = function(`)
  const end = labels[0]!.index
  if (start < 0 || start > end) throw new GluePatchError(`jco glue: the body of _trampoline${index} (${spec.iface}#${spec.fn}) not found`)
  const body = glue.slice(start, end)
  if (!body.includes(`fn: () => _trackHostOperation(() => ${spec.host}()),`)) {
    throw new GluePatchError(`jco glue: _trampoline${index} no longer calls ${spec.host}() with no arguments`)
  }
  if (!body.includes(`ret = _withGlobalCurrentTaskMeta({`) || !body.includes(spec.lowering)) {
    throw new GluePatchError(`jco glue: _trampoline${index} lowers the result of ${spec.iface}#${spec.fn} differently`)
  }
  const direct = `__capsuleDirect${index}`
  let out = replaceCounted(glue, new RegExp(`Object\\.assign\\(trampoline${index}, \\{ _jcoMaySuspend: false \\}\\)`, 'g'), 'some',
    () => `Object.assign(${direct}, { _jcoMaySuspend: false })`, `import bindings of trampoline${index}`)
  out = replaceCounted(out, new RegExp(`\\n  let trampoline${index} = _trampoline${index}\\.manuallyAsync`, 'g'), 1,
    () => `\n  const ${direct} = ${spec.direct};\n  let trampoline${index} = _trampoline${index}.manuallyAsync`, `the declaration of trampoline${index}`)
  return out
}

/** State the hook reads; each must be declared exactly like this in the glue. */
const HOOK_STATE = [
  'let curResourceBorrows = [];',
  'const ASYNC_TASKS_BY_COMPONENT_IDX = new Map();',
  'const ASYNC_CURRENT_COMPONENT_IDXS = [];',
  'const ASYNC_CURRENT_TASK_IDS = [];',
  'const ASYNC_STATE = new Map();',
  'const RESOURCE_SCOPE_TASKS = new Map();',
  'const INSTANCE_FLAGS = new Map();',
  'const STORE_TRAP = { error: null };',
  'const STORE_ASYNC_STATE = { deadlockCheck: null, pendingHostOperations: 0 };',
  'const CURRENT_TASK_META = {};',
  'isExclusivelyLocked() {',
  'throwIfTrapped() {',
  'get mayLeave() {',
  'const T_FLAG = 1 << 30;',
]

function addResetHook(glue: string): string {
  for (const text of HOOK_STATE) requireText(glue, text, 'state the reset hook reads')
  const tables = [...glue.matchAll(/\n  const handleTable(\d+) = \[T_FLAG, 0\];\n  handleTable\1\._createdReps = new Set\(\);\n/g)].map((m) => m[1]!)
  if (tables.length === 0) throw new GluePatchError('jco glue: no resource handle tables found')
  for (const n of tables) {
    requireText(glue, `\n  const captureTable${n}= new Map();\n  let captureCnt${n}= 0;\n`, `the capture table of handle table ${n}`)
  }
  // Any other per-instance counter or table would be state the hook does not reset: refuse.
  const counters = [...glue.matchAll(/\n  let (captureCnt\d+)= 0;/g)].map((m) => m[1])
  if (counters.length !== tables.length) throw new GluePatchError(`jco glue: ${counters.length} capture counters for ${tables.length} handle tables`)
  const hook = [
    '  const __capsuleGlueHook = {',
    '    idle() {',
    '      if (curResourceBorrows.length !== 0 || ASYNC_CURRENT_TASK_IDS.length !== 0 || ASYNC_CURRENT_COMPONENT_IDXS.length !== 0) return false;',
    '      for (const metas of ASYNC_TASKS_BY_COMPONENT_IDX.values()) if (metas.length !== 0) return false;',
    '      if (RESOURCE_SCOPE_TASKS.size !== 0 || STORE_TRAP.error !== null || STORE_ASYNC_STATE.pendingHostOperations !== 0) return false;',
    '      if (CURRENT_TASK_META.current != null) return false;',
    '      for (const key of Object.keys(CURRENT_TASK_META)) if (CURRENT_TASK_META[key] != null) return false;',
    '      for (const flags of INSTANCE_FLAGS.values()) if (flags.value !== 1) return false;',
    '      for (const state of ASYNC_STATE.values()) {',
    '        if (state.isExclusivelyLocked() || !state.mayLeave) return false;',
    '        try { state.throwIfTrapped(); } catch { return false; }',
    '      }',
    '      return true;',
    '    },',
    '    reset() {',
    ...tables.map((n) => `      handleTable${n}.length = 0; handleTable${n}.push(T_FLAG, 0); handleTable${n}._createdReps.clear(); captureTable${n}.clear(); captureCnt${n} = 0;`),
    '    },',
    '  };',
    "  return { run, [Symbol.for('unplugin-capsule:glue-hook')]: __capsuleGlueHook };",
  ].join('\n')
  return replaceCounted(glue, /\n  return \{ run,  \};\n\}\)\(\);\n/g, 1, () => `\n${hook}\n})();\n`, 'the instantiation\'s `return { run }`')
}

/** Applies every edit; throws GluePatchError when the glue is not what the edits expect. */
export function patchGlue(glue: string): string {
  requireText(glue, 'export function instantiate(getCoreModule, imports, instantiateCore', 'the sync `instantiate` entry')
  let out = guardPromising(glue)
  out = readDebugFlagOnce(out)
  for (const spec of DIRECT_IMPORTS) out = callDirectly(out, spec)
  out = addResetHook(out)
  const parsed = parseSync(GLUE_FILE, out, { sourceType: 'module' })
  const error = parsed.errors.find((e) => e.severity === 'Error')
  if (error) throw new GluePatchError(`the patched glue does not parse: ${error.message}`)
  return out
}

/**
 * The engine's support files as the runtime wants them: the glue patched, the adapters
 * exporting their mutable globals. A glue the edits do not recognize is left as jco made it
 * (with a warning): the runtime then makes a fresh instance for every call, slower but correct.
 */
export function patchEngineSupport(support: Map<string, Uint8Array>): Map<string, Uint8Array> {
  const glue = support.get(GLUE_FILE)
  if (!glue) return support
  let patchedGlue: string
  try {
    patchedGlue = patchGlue(new TextDecoder().decode(glue))
  } catch (error) {
    if (!(error instanceof GluePatchError)) throw error
    process.emitWarning(`unplugin-capsule: ${error.message}; sandboxes will not be reset in place`)
    return support
  }
  const out = new Map<string, Uint8Array>()
  for (const [name, bytes] of support) {
    if (name === GLUE_FILE) out.set(name, new TextEncoder().encode(patchedGlue))
    else out.set(name, name.endsWith('.wasm') ? exportAdapterGlobals(bytes) : bytes)
  }
  return out
}
