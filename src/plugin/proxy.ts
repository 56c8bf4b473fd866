// The host-side proxy that replaces a task module: no task code, no compiler — one function per
// exported task that runs it through `unplugin-capsule/runtime`. Written with magic-string over the
// original source so the source map sends each export to its `task(...)` call.
import MagicString, { type SourceMap } from 'magic-string'

export const RUNTIME_ID = 'unplugin-capsule/runtime'

export interface ProxyTask {
  /** The export (`default` for a default export). */
  exportName: string
  /** The task's `name` option: what the runtime is asked to run. */
  name: string
  /** Offset of the task(...) call in the transformed code (0 when unknown). */
  offset: number
}

export type ProxyTarget =
  /** Build: the manifest is in the output; found from the proxy's own location. */
  /** `format`: the output's module format when the bundler says it up front (webpack). */
  | { kind: 'output'; module: string; manifestName: string; format?: 'webpack-esm' | 'cjs' }
  /** Serve/watch/Vitest: a manifest in the cache, and the project root to run in. */
  | { kind: 'cache'; module: string; manifest: string; root: string }

/** 1-based line/column (UTF-16 columns) → offset into `code`. */
export function offsetOf(code: string, line: number, column: number): number {
  const breaks = /\r\n?|\n|\u2028|\u2029/g
  let start = 0
  for (let current = 1; current < line; current++) {
    const match = breaks.exec(code)
    if (!match) return 0
    start = match.index + match[0].length
  }
  return Math.min(code.length, start + column - 1)
}

function proxyOptions(target: ProxyTarget): string {
  const module = JSON.stringify(target.module)
  if (target.kind === 'cache') {
    return `{ module: ${module}, manifest: ${JSON.stringify(target.manifest)}, cwd: ${JSON.stringify(target.root)} }`
  }
  // The output's own location: `__filename` in CommonJS. webpack's ESM output neither keeps
  // `import.meta.url` (it inlines the SOURCE file's URL) nor `typeof __filename` (folded to
  // true): its base URI is the output's real location at run time. When the bundler does not
  // say (Rollup decides per output), whichever exists at run time.
  const from = target.format === 'webpack-esm'
    ? 'new URL("./capsule-proxy.js", __webpack_base_uri__).href'
    : target.format === 'cjs'
      ? '__filename'
      : 'typeof __filename === "string" ? __filename : import.meta.url'
  return `{ module: ${module}, manifestName: ${JSON.stringify(target.manifestName)}, from: ${from} }`
}

export function generateProxy(code: string, id: string, tasks: ProxyTask[], target: ProxyTarget, runtimeId = RUNTIME_ID): { code: string; map: SourceMap } {
  const header = [
    `// unplugin-capsule: the tasks of ${target.module} run in sandboxes; this module only calls them.`,
    `import { createTaskProxy as __capsuleProxy } from ${JSON.stringify(runtimeId)};`,
    `const __capsuleTask = __capsuleProxy(${proxyOptions(target)});`,
    '',
  ].join('\n')
  const lines = new Map<number, string[]>()
  tasks.forEach((task, index) => {
    const local = `__capsule_${index}`
    const exported = /^[A-Za-z_$][\w$]*$/.test(task.exportName) ? task.exportName : JSON.stringify(task.exportName)
    const at = Math.max(0, Math.min(task.offset, Math.max(0, code.length - 1)))
    const list = lines.get(at) ?? []
    list.push(`const ${local} = __capsuleTask(${JSON.stringify(task.name)});\nexport { ${local} as ${exported} };\n`)
    lines.set(at, list)
  })
  const s = new MagicString(code, { filename: id })
  if (code.length === 0) {
    s.append(header + [...lines.values()].flat().join(''))
    return { code: s.toString(), map: s.generateMap({ hires: true, source: id, includeContent: true }) }
  }
  // Each segment [offset_i, offset_i+1) of the original becomes task i's lines: they map to its call.
  const offsets = [...new Set([0, ...lines.keys()])].sort((a, b) => a - b)
  offsets.forEach((start, index) => {
    const end = offsets[index + 1] ?? code.length
    const text = (start === 0 ? header : '') + (lines.get(start) ?? []).join('')
    s.overwrite(start, end, text || '\n')
  })
  return { code: s.toString(), map: s.generateMap({ hires: true, source: id, includeContent: true }) }
}
