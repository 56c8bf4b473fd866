// The `allowedFiles` option: directories the task may use, relative to the project root.
// Each entry is checked against the real file system: it must exist, be a directory and stay
// inside the root (after `..` normalization and after following symlinks).

import { realpathSync, statSync } from 'node:fs'
import { isAbsolute, join, relative, resolve } from 'pathe'
import type { FileMode } from '../types.ts'
import { OptionError, isPlainObject, kindOf, show } from './errors.ts'
import type { FileGrant, ResolvedFileMode } from './policy.ts'

export const FILES_ACCEPTED =
  "an array of directories relative to the project root, each a string like 'data' or an object { path: 'data', mode: 'read-only' | 'ro' | 'read-write' | 'rw' } (mode defaults to read-write)"

const MODES: Readonly<Record<FileMode, ResolvedFileMode>> = {
  'read-only': 'ro',
  ro: 'ro',
  'read-write': 'rw',
  rw: 'rw',
}

/**
 * A relative path in POSIX form without `.` segments or a leading `./` (the root itself is
 * `.`), or null when it climbs above the root.
 */
export function normalizeRelative(path: string): string | null {
  const parts: string[] = []
  for (const segment of path.replace(/\\/g, '/').split('/')) {
    if (segment === '' || segment === '.') continue
    if (segment === '..') {
      if (parts.length === 0) return null
      parts.pop()
    } else {
      parts.push(segment)
    }
  }
  return parts.length === 0 ? '.' : parts.join('/')
}

function isAbsoluteAnywhere(path: string): boolean {
  return path.startsWith('/') || path.startsWith('\\') || /^[A-Za-z]:/.test(path) || isAbsolute(path)
}

function escapes(from: string, to: string): boolean {
  const rel = relative(from, to)
  return rel === '..' || rel.startsWith('../') || isAbsolute(rel)
}

/** Resolves one entry; `root` is absolute. Throws OptionError with `path: [index, ...]`. */
export function parseFileGrant(entry: unknown, index: number, root: string): FileGrant {
  const fail = (reason: string, value: unknown = entry, path: (string | number)[] = [index]): never => {
    throw new OptionError({ option: 'allowedFiles', value, reason, accepted: FILES_ACCEPTED, path })
  }
  let path: unknown
  let mode: ResolvedFileMode = 'rw'
  if (typeof entry === 'string') {
    path = entry
  } else if (isPlainObject(entry)) {
    for (const key of Object.keys(entry)) {
      if (key !== 'path' && key !== 'mode') fail(`entry ${index} has an unknown key ${show(key)} (only 'path' and 'mode')`, entry[key], [index, key])
    }
    path = entry.path
    if (entry.mode !== undefined) {
      const resolved =
        typeof entry.mode === 'string' && Object.hasOwn(MODES, entry.mode) ? MODES[entry.mode as FileMode] : undefined
      if (resolved === undefined) {
        fail(`mode ${show(entry.mode)} of entry ${index} is not 'read-only', 'ro', 'read-write' or 'rw'`, entry.mode, [index, 'mode'])
      }
      mode = resolved!
    }
    if (path === undefined) fail(`entry ${index} has no 'path'`)
    if (typeof path !== 'string') fail(`path ${show(path)} of entry ${index} is ${kindOf(path)}, not a string`, path, [index, 'path'])
  } else {
    return fail(`entry ${index} (${show(entry)}) is ${kindOf(entry)}, not a string or { path, mode }`)
  }
  const text = path as string
  const where: (string | number)[] = typeof entry === 'string' ? [index] : [index, 'path']
  if (text.trim() === '') fail(`${show(text)} is an empty path (use '.' for the project root)`, text, where)
  if (text.includes('\0')) fail(`${show(text)} contains a NUL character`, text, where)
  if (isAbsoluteAnywhere(text)) fail(`${show(text)} is an absolute path; paths are relative to the project root`, text, where)
  const normalized = normalizeRelative(text)
  if (normalized === null) fail(`${show(text)} escapes the project root`, text, where)
  const absolute = join(root, normalized!)
  let isDir: boolean
  try {
    isDir = statSync(absolute).isDirectory()
  } catch {
    return fail(`${show(text)} does not exist under the project root (${root})`, text, where)
  }
  if (!isDir) fail(`${show(text)} is a file, not a directory`, text, where)
  try {
    if (escapes(realpathSync(root), realpathSync(absolute))) {
      fail(`${show(text)} leads outside the project root through a symbolic link`, text, where)
    }
  } catch (error) {
    if (error instanceof OptionError) throw error
    fail(`${show(text)} cannot be resolved under the project root (${root})`, text, where)
  }
  return { path: normalized!, mode }
}

/** The grants of `allowedFiles`; an entry listed twice with the same mode is kept once. */
export function parseAllowedFiles(value: unknown, root: string): FileGrant[] {
  if (!Array.isArray(value)) {
    throw new OptionError({
      option: 'allowedFiles', value, reason: `${show(value)} is ${kindOf(value)}, not an array`, accepted: FILES_ACCEPTED,
    })
  }
  const absoluteRoot = resolve(root)
  const grants = new Map<string, FileGrant>()
  value.forEach((entry, index) => {
    const grant = parseFileGrant(entry, index, absoluteRoot)
    const previous = grants.get(grant.path)
    if (previous && previous.mode !== grant.mode) {
      throw new OptionError({
        option: 'allowedFiles', value: entry, path: [index], accepted: FILES_ACCEPTED,
        reason: `${show(grant.path)} is listed twice with different modes ('${previous.mode}' and '${grant.mode}')`,
      })
    }
    grants.set(grant.path, grant)
  })
  return [...grants.values()]
}
