// Replaces the globals whose componentize-js features are disabled (calling those traps
// uncatchably) and installs console and process. Imported first by the guest entry.
import { installConsole } from './console.ts'
import guestProcess from './process.ts'

installConsole()
Object.defineProperty(globalThis, 'process', { value: guestProcess, writable: true, configurable: true })
