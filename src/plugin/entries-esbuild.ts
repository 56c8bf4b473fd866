// `unplugin-capsule/esbuild`: `import capsule from 'unplugin-capsule/esbuild'`, then `capsule(options)` in the esbuild config.
import { unplugin } from './index.ts'

export default unplugin.esbuild
