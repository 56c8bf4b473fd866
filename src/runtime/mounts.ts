// Parses `--mount HOST[::GUEST][:ro|:rw]` / `run({ mounts })` into directory grants.
import { statSync } from 'node:fs'
import { basename, resolve } from 'node:path'
import { normalizeGuestPath } from './capabilities/guest-paths.ts'
import { CapsuleError } from './errors.ts'
import type { Mount } from './messages.ts'

const FORMS = `HOST[::GUEST][:ro|:rw], e.g. './data::input:ro'`

export function parseMount(spec: string, cwd: string): Mount {
  let rest = spec
  let mode: Mount['mode'] = 'rw'
  const suffix = /:(ro|rw)$/.exec(rest)
  if (suffix) {
    mode = suffix[1] as Mount['mode']
    rest = rest.slice(0, -3)
  }
  const [host, guest, ...extra] = rest.split('::')
  if (!host || extra.length > 0 || guest === '') {
    throw new CapsuleError('INVALID_RUN_OPTIONS', `invalid mount "${spec}"; accepted: ${FORMS}`)
  }
  const hostPath = resolve(cwd, host)
  let isDirectory = false
  try {
    isDirectory = statSync(hostPath).isDirectory()
  } catch {
    // reported below
  }
  if (!isDirectory) throw new CapsuleError('INVALID_RUN_OPTIONS', `invalid mount "${spec}": ${hostPath} is not a directory`)
  // The same normalization the file gate applies to every guest path.
  const guestPath = normalizeGuestPath(guest ?? basename(hostPath))
  if (!guestPath.ok || guestPath.path === '.') {
    throw new CapsuleError('INVALID_RUN_OPTIONS', `invalid mount "${spec}": the guest path must be a directory inside the project root; accepted: ${FORMS}`)
  }
  return { hostPath, guestPath: guestPath.path, mode }
}
