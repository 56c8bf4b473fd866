// Keeps ARCHITECTURE.md's import rules true: who may import whom inside src/.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const SRC = resolve(import.meta.dirname, '../src')

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : []
  })
}

interface ImportEdge { from: string; to: string; specifier: string; lazy: boolean }

function imports(file: string): ImportEdge[] {
  const text = readFileSync(file, 'utf8')
  const edges: ImportEdge[] = []
  for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    const specifier = match[1] ?? match[2]!
    const target = specifier.startsWith('.') ? relative(SRC, resolve(dirname(file), specifier)) : specifier
    edges.push({ from: relative(SRC, file), to: target, specifier, lazy: match[2] !== undefined })
  }
  return edges
}

const edges = sourceFiles(SRC).flatMap(imports)

/** Every import cycle among src files (type imports and lazy imports included), each as the files around it. */
function importCycles(): string[][] {
  const next = new Map<string, string[]>()
  for (const edge of edges) {
    if (!edge.to.endsWith('.ts')) continue
    next.set(edge.from, [...(next.get(edge.from) ?? []), edge.to])
  }
  // Tarjan's strongly connected components: a component of more than one file (or a file that imports itself) is a cycle.
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const cycles: string[][] = []
  const visit = (file: string): void => {
    index.set(file, index.size)
    low.set(file, index.get(file)!)
    stack.push(file)
    onStack.add(file)
    for (const target of next.get(file) ?? []) {
      if (!index.has(target)) {
        visit(target)
        low.set(file, Math.min(low.get(file)!, low.get(target)!))
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file)!, index.get(target)!))
      }
    }
    if (low.get(file) !== index.get(file)) return
    const component: string[] = []
    let member: string
    do {
      member = stack.pop()!
      onStack.delete(member)
      component.push(member)
    } while (member !== file)
    if (component.length > 1 || next.get(file)?.includes(file)) cycles.push(component.sort())
  }
  for (const file of next.keys()) if (!index.has(file)) visit(file)
  return cycles
}

describe('import rules', () => {
  it('runtime/ never imports the compiler, the plugin or the CLI (except the one lazy compile import)', () => {
    const offending = edges.filter((e) => e.from.startsWith('runtime/') && /^(compile|plugin|cli)\//.test(e.to))
    expect(offending.filter((e) => !(e.lazy && e.from === 'runtime/module-resolver.ts' && e.to === 'compile/index.ts'))).toEqual([])
  })

  it('guest/ imports only guest/, pathe and the WIT host interface', () => {
    const offending = edges.filter((e) => e.from.startsWith('guest/') && !e.to.startsWith('guest/') && e.to !== 'pathe' && !e.to.startsWith('capsule:sandbox/'))
    expect(offending).toEqual([])
  })

  it('options/ depends on nothing but types, pathe and Node built-ins', () => {
    const offending = edges.filter((e) => e.from.startsWith('options/') && !e.to.startsWith('options/') && e.to !== 'types.ts' && e.to !== 'pathe' && !e.to.startsWith('node:'))
    expect(offending).toEqual([])
  })

  it('vitest/ builds on the plugin, options and shared helpers only (never the runtime internals or the compiler)', () => {
    const allowed = (to: string) => /^(vitest|plugin|options|shared)\//.test(to) || to === 'types.ts' || to.startsWith('node:') || /^vitest(\/|$)/.test(to)
    expect(edges.filter((e) => e.from.startsWith('vitest/') && !allowed(e.to))).toEqual([])
  })

  it('bullmq and ioredis are loaded only by queue/ (the CLI reaches it through one lazy import)', () => {
    const users = edges.filter((e) => /^(bullmq|ioredis)(\/|$)/.test(e.to) || e.to.startsWith('queue/'))
    const outside = users.filter((e) => !e.from.startsWith('queue/'))
    expect([...new Set(outside.map((e) => `${e.from} → ${e.to}${e.lazy ? ' (lazy)' : ''}`))]).toEqual(['cli/commands/worker.ts → queue/index.ts (lazy)'])
  })

  it('queue/ builds on the runtime only (never the compiler, the plugin or the CLI)', () => {
    expect(edges.filter((e) => e.from.startsWith('queue/') && /^(compile|plugin|cli|vitest)\//.test(e.to))).toEqual([])
  })

  it('@opentelemetry/api is loaded only lazily, by runtime/otel.ts', () => {
    const users = edges.filter((e) => e.to.startsWith('@opentelemetry/'))
    expect(users.every((e) => e.from === 'runtime/otel.ts')).toBe(true)
    const text = readFileSync(join(SRC, 'runtime/otel.ts'), 'utf8')
    expect(text).not.toMatch(/^import (?!type )[^\n]*from '@opentelemetry\/api'/m)
    expect(users.some((e) => e.lazy)).toBe(true)
  })

  it('snippet/ (the prebuilt snippet task module) imports only the guest-facing package, node:fs and node:path', () => {
    const allowed = (to: string) => to.startsWith('snippet/') || ['unplugin-capsule', 'node:fs', 'node:path'].includes(to)
    expect(edges.filter((e) => e.from.startsWith('snippet/') && !allowed(e.to))).toEqual([])
  })

  it('the MCP SDK is loaded only by mcp/, and mcp/ never reaches into the compiler or the plugin', () => {
    expect(edges.filter((e) => e.to.startsWith('@modelcontextprotocol/') && !e.from.startsWith('mcp/'))).toEqual([])
    expect(edges.filter((e) => e.from.startsWith('mcp/') && /^(compile|plugin)\//.test(e.to))).toEqual([])
    // The CLI loads the MCP room lazily, so other commands never load the SDK.
    expect(edges.filter((e) => e.from.startsWith('cli/') && e.to.startsWith('mcp/') && !e.lazy)).toEqual([])
  })

  it('shared/ (helpers every host room may use) depends on nothing but itself, pathe and Node built-ins', () => {
    const offending = edges.filter((e) => e.from.startsWith('shared/') && !e.to.startsWith('shared/') && e.to !== 'pathe' && !e.to.startsWith('node:'))
    expect(offending).toEqual([])
  })

  it('formats/ (the on-disk formats) depends on nothing but itself, options/, the error class, the task signature shape and Node built-ins', () => {
    const allowed = (to: string) => /^(formats|options)\//.test(to) || to === 'runtime/errors.ts' || to === 'runtime/task-signature.ts' || to.startsWith('node:')
    const offending = edges.filter((e) => e.from.startsWith('formats/') && !allowed(e.to))
    expect(offending).toEqual([])
  })

  it('compile/ takes from runtime/ only the shapes it produces (artifact.ts, task-signature.ts)', () => {
    const allowed = new Set(['runtime/artifact.ts', 'runtime/task-signature.ts'])
    expect(edges.filter((e) => e.from.startsWith('compile/') && e.to.startsWith('runtime/') && !allowed.has(e.to))).toEqual([])
  })

  it('no import cycle among src files, type imports and lazy imports included', () => {
    expect(importCycles()).toEqual([])
  })

  it('plugin/ never imports cli/ (the CLI builds on the plugin, not the other way round)', () => {
    expect(edges.filter((e) => e.from.startsWith('plugin/') && e.to.startsWith('cli/'))).toEqual([])
  })

  it('binaryen is loaded only by the engine instrumentation', () => {
    expect(edges.filter((e) => e.to === 'binaryen').map((e) => e.from)).toEqual(['compile/engine/instrument-fuel.ts'])
  })
})
