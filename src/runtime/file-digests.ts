// sha256 digests of the artifact files the runtime loads (the ~12 MB engine, a module's snapshot),
// without re-reading them in every process: hashing costs ~100 ms here, most of a cached
// `capsule run`. A digest is remembered with the file's stamp (shared/file-stamp.ts: an
// unchanged stamp means unchanged bytes). Digests are kept in memory per process and in a small
// record beside the files (`.capsule-digests.json`, written best-effort: a read-only folder just
// means hashing again), so the next process trusts the stamp instead of re-hashing.
// The record sits where the artifacts sit: whoever can rewrite it can rewrite the artifacts (or
// the manifest listing their hashes), so it adds no trust the files themselves did not have.
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { fileStamp } from '../shared/file-stamp.ts'
import { sha256File } from '../shared/sha256-file.ts'

export const DIGEST_RECORD = '.capsule-digests.json'

export interface FileDigest {
  sha256: string
  /** The file's stamp when the digest was taken ('missing' when it did not exist). */
  stamp: string
}

type DigestRecord = Record<string, FileDigest>

const known = new Map<string, FileDigest>()
const records = new Map<string, { stamp: string; entries: DigestRecord }>()

function recordOf(dir: string): DigestRecord {
  const path = join(dir, DIGEST_RECORD)
  const stamp = fileStamp(path)
  const cached = records.get(dir)
  if (cached?.stamp === stamp) return cached.entries
  let entries: DigestRecord = {}
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'))
    if (parsed && typeof parsed === 'object') entries = parsed as DigestRecord
  } catch {
    // no record yet (or an unreadable one): every file is hashed once and a new record written
  }
  records.set(dir, { stamp, entries })
  return entries
}

function saveRecord(dir: string, entries: DigestRecord): void {
  const path = join(dir, DIGEST_RECORD)
  const staged = `${path}.${process.pid}.tmp`
  try {
    writeFileSync(staged, JSON.stringify(entries))
    renameSync(staged, path)
    records.set(dir, { stamp: fileStamp(path), entries })
  } catch {
    // read-only artifacts: the next process hashes again
  }
}

/**
 * The file's sha256 and stamp: hashed only when neither this process nor the record beside it
 * holds a digest for the file's current stamp. A missing file answers sha256 'missing'.
 */
export function digestOf(path: string): FileDigest {
  const stamp = fileStamp(path)
  if (stamp === 'missing') return { sha256: 'missing', stamp }
  const inMemory = known.get(path)
  if (inMemory?.stamp === stamp) return inMemory
  const dir = dirname(path)
  const name = basename(path)
  const entries = recordOf(dir)
  const recorded = entries[name]
  let digest: FileDigest
  if (recorded?.stamp === stamp && typeof recorded.sha256 === 'string') digest = { sha256: recorded.sha256, stamp }
  else {
    digest = { sha256: sha256File(path), stamp }
    // Only a file that did not move while it was read is worth recording.
    if (fileStamp(path) === stamp) saveRecord(dir, { ...entries, [name]: digest })
  }
  known.set(path, digest)
  return digest
}
