// The synchronous half of the guest's `node:fs`: every operation is a host import, and the
// host checks it against the task's granted directories before touching the disk.
import { fsMkdir, fsRead, fsReaddir, fsRename, fsRm, fsStat, fsWrite } from 'capsule:sandbox/host@0.1.0'
import { callHost } from './host-errors.ts'

type Encoding = 'utf8' | 'utf-8' | null | undefined
type EncodingOption = Encoding | { encoding?: Encoding; flag?: string }
type Data = string | Uint8Array | ArrayBufferView

const encoder = new TextEncoder()
const decoder = new TextDecoder()

function encodingOf(options: EncodingOption): Encoding {
  return typeof options === 'object' && options !== null ? options.encoding : options
}

function toBytes(data: Data): Uint8Array {
  if (typeof data === 'string') return encoder.encode(data)
  if (data instanceof Uint8Array) return data
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
}

function pathString(path: string | URL): string {
  return typeof path === 'string' ? path : path.pathname
}

export class Stats {
  constructor(private readonly kind: string, readonly size: number, readonly mtimeMs: number) {}
  get mtime(): Date { return new Date(this.mtimeMs) }
  isFile(): boolean { return this.kind === 'file' }
  isDirectory(): boolean { return this.kind === 'directory' }
  isSymbolicLink(): boolean { return this.kind === 'symlink' }
}

export class Dirent {
  constructor(readonly name: string, private readonly kind: string, readonly parentPath: string) {}
  get path(): string { return this.parentPath }
  isFile(): boolean { return this.kind === 'file' }
  isDirectory(): boolean { return this.kind === 'directory' }
  isSymbolicLink(): boolean { return this.kind === 'symlink' }
}

export function readFileSync(path: string | URL, options?: EncodingOption): string | Uint8Array {
  const p = pathString(path)
  const bytes = callHost('open', p, () => fsRead(p))
  return encodingOf(options) ? decoder.decode(bytes) : bytes
}

export function writeFileSync(path: string | URL, data: Data, options?: EncodingOption): void {
  const p = pathString(path)
  const append = typeof options === 'object' && options !== null && options.flag === 'a'
  callHost('open', p, () => fsWrite(p, toBytes(data), append))
}

export function appendFileSync(path: string | URL, data: Data): void {
  const p = pathString(path)
  callHost('open', p, () => fsWrite(p, toBytes(data), true))
}

export function readdirSync(path: string | URL, options?: { withFileTypes?: boolean }): string[] | Dirent[] {
  const p = pathString(path)
  const entries = callHost('scandir', p, () => fsReaddir(p))
  if (options?.withFileTypes) return entries.map((entry) => new Dirent(entry.name, entry.kind, p))
  return entries.map((entry) => entry.name)
}

export function statSync(path: string | URL): Stats {
  const p = pathString(path)
  const stat = callHost('stat', p, () => fsStat(p))
  return new Stats(stat.kind, Number(stat.size), stat.mtimeMs)
}

export const lstatSync = statSync

export function existsSync(path: string | URL): boolean {
  try {
    statSync(path)
    return true
  } catch {
    return false
  }
}

export function mkdirSync(path: string | URL, options?: { recursive?: boolean }): void {
  const p = pathString(path)
  callHost('mkdir', p, () => fsMkdir(p, options?.recursive ?? false))
}

export function rmSync(path: string | URL, options?: { recursive?: boolean; force?: boolean }): void {
  const p = pathString(path)
  callHost('rm', p, () => fsRm(p, options?.recursive ?? false, options?.force ?? false))
}

export function unlinkSync(path: string | URL): void {
  const p = pathString(path)
  callHost('unlink', p, () => fsRm(p, false, false))
}

export function rmdirSync(path: string | URL, options?: { recursive?: boolean }): void {
  rmSync(path, { recursive: options?.recursive ?? false })
}

export function renameSync(from: string | URL, to: string | URL): void {
  const source = pathString(from)
  const target = pathString(to)
  callHost('rename', source, () => fsRename(source, target))
}
