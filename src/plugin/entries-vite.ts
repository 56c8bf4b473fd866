// `unplugin-capsule/vite`: `import capsule from 'unplugin-capsule/vite'`, then `capsule(options)` in the vite config.
import { unplugin } from './index.ts'

export default unplugin.vite
