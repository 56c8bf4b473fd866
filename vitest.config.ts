// Tests run against the built package (dist/): `npm test` builds first. Compiling a fixture
// through the real toolchain takes seconds, hence the generous timeouts.
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 240_000,
    maxWorkers: 2,
  },
})
