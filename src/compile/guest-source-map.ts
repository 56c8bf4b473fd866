// The guest bundle's source map as stored beside a module's snapshot (runtime/stack-map.ts reads
// it): sources relative to the project root, so mapped frames read `tasks/x.capsule.ts:12:9`
// wherever the build runs; the package's own guest runtime renamed `capsule:guest/…`, so its
// frames can be left out; no source contents (the map ships with build outputs).
import { basename, resolve, sep } from 'node:path'
import { GUEST_RUNTIME_SOURCE } from '../formats/layout.ts'
import { guestFile } from './guest-files.ts'
import { displayPath } from '../shared/display-path.ts'

const GUEST_DIR = resolve(guestFile('run'), '..')

export function guestSourceMap(mapText: string, bundleDir: string, root: string): string {
  const map = JSON.parse(mapText) as { sources: string[]; sourcesContent?: unknown }
  map.sources = map.sources.map((source) => {
    const absolute = resolve(bundleDir, source)
    if (absolute.startsWith(GUEST_DIR + sep)) return GUEST_RUNTIME_SOURCE + basename(absolute)
    return displayPath(absolute, root)
  })
  delete map.sourcesContent
  return JSON.stringify(map)
}
