// The `capsule:sandbox/host` imports handed to every instance. Each one reads the current
// call's state, so one pre-made instance can serve whichever call comes next. Every capability
// is checked here, on the host side, against the policy the runtime was given.
import type { CallState } from './call-state.ts'

type Result<T> = { tag: 'ok'; val: T } | { tag: 'err'; val: { code: string; message: string } }

function denied(state: CallState, what: string): Result<never> {
  state.denials++
  return { tag: 'err', val: { code: 'EACCES', message: `permission denied: ${what}` } }
}

export function hostImports(current: () => CallState): Record<string, unknown> {
  const fsDenied = (operation: string) => (path: string) => denied(current(), `${operation} '${path}' (no granted directory covers it)`)
  return {
    log: (level: string, message: string) => current().log(level, message),
    fsRead: fsDenied('read'),
    fsWrite: fsDenied('write'),
    fsReaddir: fsDenied('readdir'),
    fsStat: fsDenied('stat'),
    fsMkdir: fsDenied('mkdir'),
    fsRm: fsDenied('rm'),
    fsRename: fsDenied('rename'),
    httpFetch: (request: { url: string }) => denied(current(), `fetch ${request.url} (no allowed host matches)`),
    callTask: (name: string) =>
      JSON.stringify({ success: false, result: null, error: { error_type: 'internal_error', message: `sub-task "${name}": not supported yet` } }),
  }
}
