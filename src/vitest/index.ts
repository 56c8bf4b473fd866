// `unplugin-capsule/vitest`: `capsuleTest(options)` for vitest.config.ts — the capsule transform
// (the Vite plugin: task-module imports become proxies running in sandboxes) plus the matchers,
// registered by adding the setup file to `test.setupFiles`. `matchers` for a manual `expect.extend`.
// Loads no more than the Vite plugin does (the compiler is imported on the first task module).
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Plugin, ViteUserConfig } from 'vitest/config'
import capsule from '../plugin/entries-vite.ts'
import type { CapsuleOptions } from '../types.ts'

export { matchers } from './matchers/index.ts'
export type { CapsuleAssertionResult, CapsuleMatchers, EnvelopeResult } from './types.ts'
export type { CapsuleOptions } from '../types.ts'

/** The setup file: the built `vitest-setup.mjs` next to this entry (or the source, unbuilt). */
const SETUP_FILE: string = (() => {
  const built = fileURLToPath(new URL('./vitest-setup.mjs', import.meta.url))
  return existsSync(built) ? built : fileURLToPath(new URL('./setup.ts', import.meta.url))
})()

/** The Vite plugins for `vitest.config.ts`: `plugins: [capsuleTest({ defaults: { timeout: '10s' } })]`. */
export default function capsuleTest(options?: CapsuleOptions): Plugin[] {
  const matchersPlugin: Plugin = {
    name: 'unplugin-capsule:vitest',
    config: (): ViteUserConfig => ({ test: { setupFiles: [SETUP_FILE] } }),
  }
  return [...[capsule(options)].flat(), matchersPlugin]
}
