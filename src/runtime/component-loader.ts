// Loads a transpiled component once per worker (glue module + compiled core modules) and makes
// fresh instances of it. Instantiation is synchronous (~3-5 ms) and keeps a handle on the
// main core module's memory so the host can measure it.
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

type Instantiate = (
  getCoreModule: (path: string) => WebAssembly.Module,
  imports: Record<string, unknown>,
  instantiateCore: (module: WebAssembly.Module, imports: WebAssembly.Imports) => WebAssembly.Instance,
) => { run(task: string, argsJson: string, contextJson: string): string }

export interface LoadedComponent {
  instantiate: Instantiate
  coreModules: Map<string, WebAssembly.Module>
}

export interface ComponentInstance {
  run(task: string, argsJson: string, contextJson: string): string
  /** The guest's linear memory (the largest memory among the core instances). */
  memory: WebAssembly.Memory | undefined
}

const loaded = new Map<string, Promise<LoadedComponent>>()

async function load(dir: string): Promise<LoadedComponent> {
  const files = (await readdir(dir)).filter((name) => name.endsWith('.wasm'))
  const coreModules = new Map<string, WebAssembly.Module>()
  await Promise.all(files.map(async (name) => {
    coreModules.set(name, await WebAssembly.compile(await readFile(join(dir, name))))
  }))
  const glue = (await import(pathToFileURL(join(dir, 'component.js')).href)) as { instantiate: Instantiate }
  return { instantiate: glue.instantiate, coreModules }
}

export function loadComponent(dir: string): Promise<LoadedComponent> {
  let entry = loaded.get(dir)
  if (!entry) {
    entry = load(dir)
    entry.catch(() => loaded.delete(dir))
    loaded.set(dir, entry)
  }
  return entry
}

export function instantiateComponent(component: LoadedComponent, imports: Record<string, unknown>): ComponentInstance {
  let memory: WebAssembly.Memory | undefined
  const root = component.instantiate(
    (path) => {
      const module = component.coreModules.get(path)
      if (!module) throw new Error(`component is missing core module ${path}`)
      return module
    },
    imports,
    (module, moduleImports) => {
      const instance = new WebAssembly.Instance(module, moduleImports)
      const exported = instance.exports.memory
      if (exported instanceof WebAssembly.Memory && (!memory || exported.buffer.byteLength > memory.buffer.byteLength)) {
        memory = exported
      }
      return instance
    },
  )
  return { run: (task, args, context) => root.run(task, args, context), memory }
}
