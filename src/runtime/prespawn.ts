// Entry `dist/prespawn.mjs`: the `capsule` bin imports it first for one-shot commands (run,
// exec), so a sandbox worker thread boots while the CLI loads; the runtime adopts it.
import { prespawnSandboxWorker } from './sandbox-worker.ts'

prespawnSandboxWorker()
