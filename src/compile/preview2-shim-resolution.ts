// Registers preview2-shim-hooks.ts in this process. Import it first in the componentize child
// process, and import componentize-js only afterwards and dynamically (`await import(...)`): a
// static import is resolved before any code of the importing module runs, too early for a hook.
import { register } from 'node:module'

register(new URL('./preview2-shim-hooks.mjs', import.meta.url))
