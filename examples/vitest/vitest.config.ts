// capsuleTest(): imports of *.capsule.ts become proxies that run each call in a fresh sandbox,
// and the envelope matchers are registered. Options are the plugin's (defaults for every task).
import { defineConfig } from 'vitest/config'
import capsuleTest from 'unplugin-capsule/vitest'

export default defineConfig({
  // Generous: the first call in each worker loads the sandbox engine (slower on a busy machine).
  test: { testTimeout: 60_000 },
  plugins: [capsuleTest({ defaults: { timeout: '10s' } })],
})
