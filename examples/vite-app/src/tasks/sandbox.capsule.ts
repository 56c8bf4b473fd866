// Runs a snippet of untrusted JavaScript (say, written by an LLM) in a fresh WebAssembly sandbox:
// no files, no network, no environment, a small fuel budget, 64 MB of memory and 2 seconds.
import { task } from 'unplugin-capsule'

export const evaluate = task({ name: 'evaluate', compute: 'low', ram: '64MB', timeout: '2s' }, (code: string) => {
  // Indirect evaluation: the snippet sees only globals, not this module's scope.
  return new Function(`"use strict";\n${code}`)()
})
