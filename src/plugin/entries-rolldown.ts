// `unplugin-capsule/rolldown`: `import capsule from 'unplugin-capsule/rolldown'`, then `capsule(options)` in the rolldown config.
import { unplugin } from './index.ts'

export default unplugin.rolldown
