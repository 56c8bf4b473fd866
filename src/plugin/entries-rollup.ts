// `unplugin-capsule/rollup`: `import capsule from 'unplugin-capsule/rollup'`, then `capsule(options)` in the rollup config.
import { unplugin } from './index.ts'

export default unplugin.rollup
