// Turns a Node fs exception into a guest-safe failure: a Node-style code and a message that
// names the guest path only (never the host path, never file contents).

import { fail, type CapabilityFailure } from './result.ts'

const DESCRIPTIONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
  EEXIST: 'file already exists',
  EISDIR: 'illegal operation on a directory',
  ENOTDIR: 'not a directory',
  ENOTEMPTY: 'directory not empty',
  EINVAL: 'invalid argument',
  EXDEV: 'cross-device link not permitted',
  ELOOP: 'too many symbolic links encountered',
  ENAMETOOLONG: 'name too long',
  EBUSY: 'resource busy or locked',
  ENOSPC: 'no space left on device',
  EROFS: 'read-only file system',
  EMFILE: 'too many open files',
  EFBIG: 'file too large',
  EIO: 'i/o error',
}

const CODE_ALIASES: Record<string, string> = {
  ERR_FS_EISDIR: 'EISDIR',
  ERR_FS_FILE_TOO_LARGE: 'EFBIG',
}

/** `ENOENT: no such file or directory, open 'data/x.txt'` */
export function fsMessage(code: string, operation: string, guestPath: string, detail?: string): string {
  return `${code}: ${detail ?? DESCRIPTIONS[code] ?? 'operation failed'}, ${operation} '${guestPath}'`
}

/** A failure named the way Node names fs errors, e.g. `EACCES: ..., open 'data/x.txt'`. */
export function fsFailure(code: string, operation: string, guestPath: string, denied = false, detail?: string): CapabilityFailure {
  return fail(code, fsMessage(code, operation, guestPath, detail), denied)
}

/** The Node-style `code` of a thrown error ('ENOENT', 'ERR_FS_EISDIR', ...), if it has one. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | null)?.code
  return typeof code === 'string' ? code : undefined
}

/** Maps a thrown fs error; unknown codes become EIO. The original message is dropped. */
export function fsErrorToFailure(error: unknown, operation: string, guestPath: string): CapabilityFailure {
  const raw = errorCode(error)
  const code = raw && (CODE_ALIASES[raw] ?? (/^E[A-Z0-9]+$/.test(raw) ? raw : undefined))
  return fsFailure(code ?? 'EIO', operation, guestPath)
}
