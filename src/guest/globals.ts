// Replaces the globals whose componentize-js features are disabled (calling those traps
// uncatchably) and installs console and process. Imported first by the guest entry.
import { installConsole } from './console.ts'
import { guestFetch } from './fetch.ts'
import guestProcess from './process.ts'

installConsole()
// With the http feature off the engine's own fetch traps: route it through the host instead.
Object.defineProperty(globalThis, 'fetch', { value: guestFetch, writable: true, configurable: true })
Object.defineProperty(globalThis, 'process', { value: guestProcess, writable: true, configurable: true })
// The bundle step turns `import.meta` into this global: reading it is a normal, catchable error
// (the engine has no import.meta for a snapshot and would trap uncatchably).
Object.defineProperty(globalThis, '__capsuleImportMeta', {
  get() {
    throw new TypeError('import.meta is not available inside a capsule sandbox')
  },
  configurable: true,
})
