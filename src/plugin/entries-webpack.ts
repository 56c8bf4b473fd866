// `unplugin-capsule/webpack`: `import capsule from 'unplugin-capsule/webpack'`, then `capsule(options)` in the webpack config.
import { unplugin } from './index.ts'

export default unplugin.webpack
