// `unplugin-capsule/rspack`: `import capsule from 'unplugin-capsule/rspack'`, then `capsule(options)` in the rspack config.
import { unplugin } from './index.ts'

export default unplugin.rspack
