// Lays out a consumer project's node_modules in a temp dir from this repository's own install,
// without the network: unplugin-capsule itself (package.json, dist, bin, wit) and componentize-js
// are real copies (Node resolves a package's imports from its real path, so a symlink would still
// find this repo's hoisted packages); every other dependency is a symlink into this repo's
// node_modules. Where preview2-shim lives is the caller's choice, as npm would leave it.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { REPO_ROOT } from './cli.ts'

/** Every dependency of this package and of componentize-js that this repo has installed. */
function linkedDependencies(): string[] {
  const special = new Set(['@bytecodealliance/componentize-js', '@bytecodealliance/preview2-shim'])
  const names = new Set<string>()
  for (const manifest of ['package.json', 'node_modules/@bytecodealliance/componentize-js/package.json']) {
    const json = JSON.parse(readFileSync(join(REPO_ROOT, manifest), 'utf8')) as Record<string, Record<string, string> | undefined>
    for (const field of ['dependencies', 'optionalDependencies']) for (const name of Object.keys(json[field] ?? {})) names.add(name)
  }
  return [...names].filter((name) => !special.has(name) && existsSync(join(REPO_ROOT, 'node_modules', name)))
}

export interface ConsumerTree {
  root: string
  /** The installed package's `capsule` executable. */
  bin: string
}

function link(root: string, name: string, target: string): void {
  const path = join(root, 'node_modules', name)
  mkdirSync(dirname(path), { recursive: true })
  symlinkSync(target, path, 'dir')
}

/**
 * `shim: 'nested'` — the only preview2-shim is unplugin-capsule's own nested copy (nothing hoisted);
 * `shim: 'other-version'` — ours is nested and the hoisted one is another version, a stand-in that
 * throws when loaded, so using it by mistake cannot go unnoticed.
 */
export function makeConsumerTree(name: string, shim: 'nested' | 'other-version'): ConsumerTree {
  const root = mkdtempSync(join(tmpdir(), `capsule-consumer-${name}-`))
  const modules = join(root, 'node_modules')
  const own = join(modules, 'unplugin-capsule')
  for (const entry of ['package.json', 'dist', 'bin', 'wit']) cpSync(join(REPO_ROOT, entry), join(own, entry), { recursive: true })
  cpSync(join(REPO_ROOT, 'node_modules/@bytecodealliance/componentize-js'), join(modules, '@bytecodealliance/componentize-js'), { recursive: true })
  for (const dependency of linkedDependencies()) link(root, dependency, join(REPO_ROOT, 'node_modules', dependency))
  link(own, '@bytecodealliance/preview2-shim', join(REPO_ROOT, 'node_modules/@bytecodealliance/preview2-shim'))
  if (shim === 'other-version') {
    const other = join(modules, '@bytecodealliance/preview2-shim')
    mkdirSync(join(other, 'lib'), { recursive: true })
    writeFileSync(join(other, 'package.json'), JSON.stringify({
      name: '@bytecodealliance/preview2-shim', version: '0.17.2', type: 'module', exports: { '.': './lib/index.js', './*': './lib/index.js' },
    }))
    writeFileSync(join(other, 'lib/index.js'), "throw new Error('the hoisted preview2-shim 0.17.2 was loaded')\n")
  }
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: `consumer-${name}`, private: true, type: 'module' }))
  return { root, bin: join(own, 'bin/capsule.mjs') }
}
