// The plugin for every bundler unplugin supports; `unplugin-capsule/<bundler>` are one-liners over it.
export { unplugin, unplugin as default, unpluginFactory } from './unplugin.ts'
export type { CapsuleOptions } from '../types.ts'
