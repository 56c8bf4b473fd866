// `unplugin-capsule/runtime`: run prebuilt or on-demand-compiled tasks in sandboxes.
// Importing this module must never load the compiler.
export { createRuntime, run, type Runtime, type RuntimeOptions } from './runtime.ts'
export type { RunOptions } from './run-options.ts'
export { runJavaScript, type RunJavaScriptOptions } from './agents/run-javascript.ts'
export { createSession, type Session, type SessionOptions } from './agents/session.ts'
export type { SnippetLimits } from './agents/snippet-policy.ts'
export { CapsuleError, type CapsuleErrorCode } from './errors.ts'
export type {
  AttemptEndEvent, AttemptStartEvent, CallEndEvent, CallInfo, CallQueuedEvent, CallRetryEvent, CallStartEvent, CallState,
  CapsuleEvent, CapsuleEventListener, CapsuleEventOf, CapsuleEventType, CompileEndEvent, CompileProgressEvent, CompileStartEvent,
} from './events.ts'
export { CALL_CHANNEL, EVENT_CHANNEL } from './diagnostics.ts'
export {
  DEFAULT_MANIFEST_NAME, MANIFEST_VERSION,
  type Manifest, type ManifestEngine, type ManifestFile, type ManifestFileSet, type ManifestModule, type ManifestPolicy, type ManifestTask, type ManifestToolchain,
} from '../formats/manifest.ts'
export { loadManifest } from './manifest-load.ts'
/** Used by the proxy modules the plugin generates. */
export { createTaskProxy, locateManifest, type TaskProxyOptions } from './task-proxy.ts'
export type { Envelope, ErrorType, Execution, HostRequest, LogEntry, TaskError } from '../types.ts'
