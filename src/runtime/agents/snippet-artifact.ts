// Where the prebuilt snippet sandbox lives: dist/snippet/capsule.manifest.json, written by
// `npm run build` next to the runtime (this file is bundled into dist/ itself).
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { CapsuleError } from '../errors.ts'

export const SNIPPET_TASK = 'snippet'

const MANIFEST = fileURLToPath(new URL('./snippet/capsule.manifest.json', import.meta.url))

/** The snippet sandbox's manifest; a clear error when the package was built without it. */
export function snippetManifest(): string {
  if (!existsSync(MANIFEST)) {
    throw new CapsuleError('INVALID_MANIFEST', `the prebuilt snippet sandbox is missing (${MANIFEST}): build the package with \`npm run build\``)
  }
  return MANIFEST
}
