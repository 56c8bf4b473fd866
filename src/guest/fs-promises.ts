// The guest's `node:fs/promises`: the same host-checked operations as `fs-sync`, as promises.
import * as sync from './fs-sync.ts'

function later<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => Promise<R> {
  return async (...args: A) => fn(...args)
}

export const readFile = later(sync.readFileSync)
export const writeFile = later(sync.writeFileSync)
export const appendFile = later(sync.appendFileSync)
export const readdir = later(sync.readdirSync)
export const stat = later(sync.statSync)
export const lstat = later(sync.lstatSync)
export const mkdir = later(sync.mkdirSync)
export const rm = later(sync.rmSync)
export const rmdir = later(sync.rmdirSync)
export const unlink = later(sync.unlinkSync)
export const rename = later(sync.renameSync)
export async function access(path: string): Promise<void> {
  sync.statSync(path)
}

export default { readFile, writeFile, appendFile, readdir, stat, lstat, mkdir, rm, rmdir, unlink, rename, access }
