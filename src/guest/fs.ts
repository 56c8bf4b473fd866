// The guest's `node:fs`: sync and callback forms plus `promises`, all checked by the host.
import * as sync from './fs-sync.ts'
import promises from './fs-promises.ts'

export * from './fs-sync.ts'
export { promises }

type Callback<R> = (error: unknown, result?: R) => void

// eslint-disable-next-line @typescript-eslint/no-explicit-any, @typescript-eslint/no-unnecessary-type-parameters -- wraps fs functions of every signature
function callbackStyle<R>(fn: (...args: any[]) => R) {
  return (...args: unknown[]): void => {
    const callback = args.pop() as Callback<R>
    let result: R
    try {
      result = fn(...args)
    } catch (error) {
      queueMicrotask(() => callback(error))
      return
    }
    queueMicrotask(() => callback(null, result))
  }
}

export const readFile = callbackStyle(sync.readFileSync)
export const writeFile = callbackStyle(sync.writeFileSync)
export const appendFile = callbackStyle(sync.appendFileSync)
export const readdir = callbackStyle(sync.readdirSync)
export const stat = callbackStyle(sync.statSync)
export const mkdir = callbackStyle(sync.mkdirSync)
export const rm = callbackStyle(sync.rmSync)
export const unlink = callbackStyle(sync.unlinkSync)
export const rename = callbackStyle(sync.renameSync)

export default { ...sync, promises, readFile, writeFile, appendFile, readdir, stat, mkdir, rm, unlink, rename }
