// Types of the host interface as the guest sees it (generated bindings of wit/capsule.wit).
declare module 'capsule:sandbox/host@0.1.0' {
  export interface Failure { code: string; message: string }
  export interface DirEntry { name: string; kind: string }
  export interface FileStat { kind: string; size: bigint; mtimeMs: number }
  export interface HttpRequest {
    method: string
    url: string
    headers: [string, string][]
    body: Uint8Array | undefined
  }
  export interface HttpResponse {
    status: number
    statusText: string
    url: string
    headers: [string, string][]
    body: Uint8Array
  }
  export function log(level: string, message: string): void
  export function fsRead(path: string): Uint8Array
  export function fsWrite(path: string, data: Uint8Array, append: boolean): void
  export function fsReaddir(path: string): DirEntry[]
  export function fsStat(path: string): FileStat
  export function fsMkdir(path: string, recursive: boolean): void
  export function fsRm(path: string, recursive: boolean, force: boolean): void
  export function fsRename(source: string, target: string): void
  export function httpFetch(request: HttpRequest): HttpResponse
  export function callTask(name: string, argsJson: string): string
}
