// Parses `--mount HOST[::GUEST][:ro|:rw]` / `run({ mounts })` into directory grants.
import { statSync } from 'node:fs'
import { basename, resolve } from 'node:path'
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
  const guestPath = (guest ?? basename(hostPath)).replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '')
  if (!guestPath || guestPath.split('/').includes('..')) {
    throw new CapsuleError('INVALID_RUN_OPTIONS', `invalid mount "${spec}": the guest path must be a relative directory without '..'; accepted: ${FORMS}`)
  }
  return { hostPath, guestPath, mode }
}
