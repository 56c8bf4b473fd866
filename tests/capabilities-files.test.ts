// File gate: grants, modes, mounts, symlink and `..` escapes, on real temp directories.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import { createFileGate, type FileGate } from '../src/runtime/capabilities/files.ts'
import type { CapabilityResult } from '../src/runtime/capabilities/result.ts'

const SECRET = 'TOP-SECRET-CONTENT-4711'
const bytes = (text: string) => new TextEncoder().encode(text)
const text = (data: Uint8Array) => new TextDecoder().decode(data)

let tmp: string
const tmps: string[] = []
let root: string
let mounted: string
let gate: FileGate
const messages: string[] = []

function setup() {
  tmp = mkdtempSync(join(tmpdir(), 'capsule-files-'))
  tmps.push(tmp)
  root = join(tmp, 'project')
  mounted = join(tmp, 'mounted')
  mkdirSync(join(root, 'data'), { recursive: true })
  mkdirSync(join(root, 'out'), { recursive: true })
  mkdirSync(mounted)
  mkdirSync(join(tmp, 'mounted-ro'))
  writeFileSync(join(tmp, 'secret.txt'), SECRET)
  writeFileSync(join(root, 'private.txt'), SECRET)
  writeFileSync(join(root, 'data', 'in.txt'), 'input')
  writeFileSync(join(mounted, 'm.txt'), 'mounted')
  writeFileSync(join(tmp, 'mounted-ro', 'r.txt'), 'read-only mount')
  symlinkSync(join(tmp, 'secret.txt'), join(root, 'out', 'secret-link'))
  symlinkSync(tmp, join(root, 'out', 'link-out'))
  symlinkSync(join(tmp, 'nowhere.txt'), join(root, 'out', 'dangling'))
  symlinkSync(join(root, 'data', 'in.txt'), join(root, 'out', 'inside-link'))
  gate = createFileGate({
    root,
    grants: [{ path: 'data', mode: 'ro' }, { path: 'out', mode: 'rw' }, { path: 'later/made', mode: 'rw' }],
    mounts: [
      { hostPath: mounted, guestPath: 'mnt', mode: 'rw' },
      { hostPath: join(tmp, 'mounted-ro'), guestPath: './deep/ro/', mode: 'ro' },
    ],
  })
}

/** Records every failure message (checked for leaks at the end) and narrows. */
function expectFailure<T>(result: CapabilityResult<T>, code: string, denied: boolean) {
  if (result.ok) throw new Error('expected a failure')
  messages.push(result.message)
  expect(result).toMatchObject({ ok: false, code, denied })
  expect(result.message.startsWith(`${code}:`)).toBe(true)
  return result
}

function expectValue<T>(result: CapabilityResult<T>): T {
  if (!result.ok) throw new Error(`unexpected failure: ${result.message}`)
  return result.value
}

beforeEach(setup)
afterAll(() => {
  try {
    // No failure message ever shows file contents or a host path.
    expect(messages.length).toBeGreaterThan(20)
    for (const message of messages) {
      expect(message).not.toContain(SECRET)
      for (const dir of tmps) expect(message).not.toContain(dir)
    }
  } finally {
    for (const dir of tmps) rmSync(dir, { recursive: true, force: true })
  }
})

describe('reading', () => {
  it('reads a granted file through relative, ./ and absolute-looking guest paths', () => {
    for (const path of ['data/in.txt', './data/in.txt', '/data/in.txt', 'out/../data/in.txt', 'data//in.txt'])
      expect(text(expectValue(gate.read(path)))).toBe('input')
    expect(gate.denials).toBe(0)
  })

  it('denies paths no grant covers, including host absolute paths', () => {
    expectFailure(gate.read('/etc/hostname'), 'EACCES', true)
    expectFailure(gate.read('/etc/passwd'), 'EACCES', true)
    expectFailure(gate.read('private.txt'), 'EACCES', true)
    expectFailure(gate.readdir('.'), 'EACCES', true)
    expectFailure(gate.stat('nothing/here'), 'EACCES', true)
    expect(gate.denials).toBe(5)
  })

  it('denies `..` escapes', () => {
    expectFailure(gate.read('../secret.txt'), 'EACCES', true)
    expectFailure(gate.read('data/../../secret.txt'), 'EACCES', true)
    expectFailure(gate.read('data/../private.txt'), 'EACCES', true)
    expectFailure(gate.read('/../secret.txt'), 'EACCES', true) // '/..' is the virtual root
  })

  it('denies symlinks that lead outside every grant, allows those that stay inside', () => {
    expectFailure(gate.read('out/secret-link'), 'EACCES', true)
    expectFailure(gate.read('out/link-out/secret.txt'), 'EACCES', true)
    expectFailure(gate.readdir('out/link-out'), 'EACCES', true)
    expectFailure(gate.stat('out/secret-link'), 'EACCES', true)
    expect(text(expectValue(gate.read('out/inside-link')))).toBe('input')
  })

  it('reports ENOENT / EISDIR only inside grants', () => {
    expectFailure(gate.read('data/missing.txt'), 'ENOENT', false)
    expectFailure(gate.read('data'), 'EISDIR', false)
    expectFailure(gate.read('data/in.txt/x'), 'ENOTDIR', false)
    expectFailure(gate.read(''), 'ENOENT', false)
    expectFailure(gate.read('data/\0x'), 'EINVAL', false)
    expect(gate.denials).toBe(0)
  })

  it('lists directories sorted, with kinds, and stats files', () => {
    expect(expectValue(gate.readdir('out'))).toEqual([
      { name: 'dangling', kind: 'symlink' },
      { name: 'inside-link', kind: 'symlink' },
      { name: 'link-out', kind: 'symlink' },
      { name: 'secret-link', kind: 'symlink' },
    ])
    expect(expectValue(gate.stat('data/in.txt'))).toMatchObject({ kind: 'file', size: 5 })
    expect(expectValue(gate.stat('data')).kind).toBe('directory')
    expect(expectValue(gate.stat('out/inside-link')).kind).toBe('file')
  })
})

describe('writing', () => {
  it('writes, appends and reads back in a rw grant', () => {
    expectValue(gate.write('out/new.txt', bytes('a'), false))
    expectValue(gate.write('/out/new.txt', bytes('b'), true))
    expect(readFileSync(join(root, 'out', 'new.txt'), 'utf8')).toBe('ab')
    expectValue(gate.write('out/new.txt', bytes('c'), false))
    expect(text(expectValue(gate.read('out/new.txt')))).toBe('c')
  })

  it('denies changes in a ro grant and leaves the host file unchanged', () => {
    expectFailure(gate.write('data/in.txt', bytes('overwritten'), false), 'EACCES', true)
    expectFailure(gate.write('data/in.txt', bytes('more'), true), 'EACCES', true)
    expectFailure(gate.write('data/created.txt', bytes('x'), false), 'EACCES', true)
    expectFailure(gate.mkdir('data/dir', false), 'EACCES', true)
    expectFailure(gate.rm('data/in.txt', false, false), 'EACCES', true)
    expect(readFileSync(join(root, 'data', 'in.txt'), 'utf8')).toBe('input')
    expect(existsSync(join(root, 'data', 'created.txt'))).toBe(false)
    expect(gate.denials).toBe(5)
  })

  it('denies writes through symlinks leading outside, leaving the target unchanged', () => {
    expectFailure(gate.write('out/secret-link', bytes('pwned'), false), 'EACCES', true)
    expectFailure(gate.write('out/link-out/secret.txt', bytes('pwned'), true), 'EACCES', true)
    expectFailure(gate.write('out/link-out/planted.txt', bytes('pwned'), false), 'EACCES', true)
    expectFailure(gate.write('out/dangling', bytes('pwned'), false), 'EACCES', true)
    expectFailure(gate.mkdir('out/link-out/newdir', true), 'EACCES', true)
    expectFailure(gate.rm('out/link-out/secret.txt', false, false), 'EACCES', true)
    expectFailure(gate.rename('out/link-out/secret.txt', 'out/stolen.txt'), 'EACCES', true)
    expect(readFileSync(join(tmp, 'secret.txt'), 'utf8')).toBe(SECRET)
    expect(existsSync(join(tmp, 'planted.txt'))).toBe(false)
    expect(existsSync(join(tmp, 'nowhere.txt'))).toBe(false)
    expect(existsSync(join(tmp, 'newdir'))).toBe(false)
  })

  it('denies writes through a symlink to a ro grant', () => {
    expectFailure(gate.write('out/inside-link', bytes('x'), false), 'EACCES', true)
    expect(readFileSync(join(root, 'data', 'in.txt'), 'utf8')).toBe('input')
  })

  it('creates directories, recursive or not', () => {
    expectValue(gate.mkdir('out/a/b/c', true))
    expectValue(gate.mkdir('out/a/b/c', true))
    expectFailure(gate.mkdir('out/a', false), 'EEXIST', false)
    expectFailure(gate.mkdir('out/x/y', false), 'ENOENT', false)
    expectValue(gate.mkdir('out/x', false))
    expect(expectValue(gate.stat('out/a/b/c')).kind).toBe('directory')
  })

  it('lets a missing granted directory be created, and only it', () => {
    expectFailure(gate.mkdir('later', false), 'EACCES', true)
    expectValue(gate.mkdir('later/made', true))
    expectValue(gate.write('later/made/f.txt', bytes('ok'), false))
    expect(readFileSync(join(root, 'later', 'made', 'f.txt'), 'utf8')).toBe('ok')
    expectFailure(gate.write('later/other.txt', bytes('no'), false), 'EACCES', true)
  })
})

describe('removing and renaming', () => {
  it('removes files and directories with rm semantics', () => {
    expectValue(gate.mkdir('out/d/e', true))
    expectValue(gate.write('out/d/e/f.txt', bytes('f'), false))
    expectFailure(gate.rm('out/d', false, false), 'ENOTEMPTY', false)
    expectValue(gate.rm('out/d', true, false))
    expect(existsSync(join(root, 'out', 'd'))).toBe(false)
    expectFailure(gate.rm('out/d', false, false), 'ENOENT', false)
    expectValue(gate.rm('out/d', false, true))
    expectValue(gate.mkdir('out/empty', false))
    expectValue(gate.rm('out/empty', false, false))
  })

  it('never removes or moves a granted directory', () => {
    for (const path of ['out', './out/', 'mnt', 'data', '.', 'later/made'])
      expectFailure(gate.rm(path, true, true), 'EACCES', true)
    expectFailure(gate.rename('out', 'out2'), 'EACCES', true)
    expectFailure(gate.rename('mnt', 'out/mnt'), 'EACCES', true)
    expect(existsSync(join(root, 'out'))).toBe(true)
    expect(existsSync(mounted)).toBe(true)
  })

  it('removing a symlink removes the link, never its outside target', () => {
    expectValue(gate.rm('out/link-out', true, false))
    expectValue(gate.rm('out/secret-link', false, false))
    expect(readFileSync(join(tmp, 'secret.txt'), 'utf8')).toBe(SECRET)
    expect(existsSync(join(tmp, 'project'))).toBe(true)
  })

  it('renames inside rw grants only', () => {
    expectValue(gate.write('out/a.txt', bytes('a'), false))
    expectValue(gate.rename('out/a.txt', 'out/b.txt'))
    expectValue(gate.rename('out/b.txt', 'mnt/b.txt'))
    expect(readFileSync(join(mounted, 'b.txt'), 'utf8')).toBe('a')
    expectFailure(gate.rename('mnt/b.txt', 'data/b.txt'), 'EACCES', true)
    expectFailure(gate.rename('data/in.txt', 'out/in.txt'), 'EACCES', true)
    expectFailure(gate.rename('mnt/b.txt', '../b.txt'), 'EACCES', true)
    expectFailure(gate.rename('mnt/b.txt', 'out/link-out/b.txt'), 'EACCES', true)
    expectFailure(gate.rename('out/missing', 'out/other'), 'ENOENT', false)
    expect(readFileSync(join(mounted, 'b.txt'), 'utf8')).toBe('a')
    expect(existsSync(join(tmp, 'b.txt'))).toBe(false)
  })
})

describe('mounts', () => {
  it('maps a guest alias to a host directory with its own mode', () => {
    expect(text(expectValue(gate.read('mnt/m.txt')))).toBe('mounted')
    expect(text(expectValue(gate.read('/mnt/m.txt')))).toBe('mounted')
    expectValue(gate.write('mnt/w.txt', bytes('w'), false))
    expect(readFileSync(join(mounted, 'w.txt'), 'utf8')).toBe('w')
    expect(text(expectValue(gate.read('deep/ro/r.txt')))).toBe('read-only mount')
    expectFailure(gate.write('deep/ro/r.txt', bytes('x'), false), 'EACCES', true)
    expectFailure(gate.read('mnt/../../secret.txt'), 'EACCES', true)
    expectFailure(gate.read('mnt/../private.txt'), 'EACCES', true)
    expect(readFileSync(join(tmp, 'mounted-ro', 'r.txt'), 'utf8')).toBe('read-only mount')
  })

  it('shows mount aliases in the listing of their guest parent', () => {
    const whole = createFileGate({ root, grants: [{ path: '.', mode: 'ro' }], mounts: [{ hostPath: mounted, guestPath: 'mnt', mode: 'ro' }] })
    expect(expectValue(whole.readdir('.')).map(entry => entry.name)).toEqual(['data', 'mnt', 'out', 'private.txt'])
    expect(expectValue(whole.readdir('/mnt'))).toEqual([{ name: 'm.txt', kind: 'file' }])
    // With the whole project granted, '/etc/hostname' still means <root>/etc/hostname.
    expectFailure(whole.read('/etc/hostname'), 'ENOENT', false)
    expectFailure(whole.read('out/secret-link'), 'EACCES', true)
    expectFailure(whole.write('data/in.txt', bytes('x'), false), 'EACCES', true)
  })

  it('refuses a granted directory that is itself a symlink (it may have been swapped in)', () => {
    symlinkSync(mounted, join(root, 'linked'))
    const linked = createFileGate({ root, grants: [{ path: 'linked', mode: 'ro' }] })
    expectFailure(linked.read('linked/m.txt'), 'EACCES', true)
    expectFailure(linked.readdir('linked'), 'EACCES', true)
    expectFailure(linked.read('private.txt'), 'EACCES', true)
  })
})

describe('configuration', () => {
  it('rejects grants and mounts that escape the project root', () => {
    expect(() => createFileGate({ root, grants: [{ path: '../x', mode: 'ro' }] })).toThrow(TypeError)
    expect(() => createFileGate({ root, grants: [], mounts: [{ hostPath: 'relative', guestPath: 'm', mode: 'ro' }] })).toThrow(TypeError)
    expect(() => createFileGate({ root: 'relative', grants: [] })).toThrow(TypeError)
  })

  it('grants nothing when there are no grants', () => {
    const none = createFileGate({ root, grants: [] })
    expectFailure(none.read('data/in.txt'), 'EACCES', true)
    expectFailure(none.stat('.'), 'EACCES', true)
    expect(none.denials).toBe(2)
  })
})
