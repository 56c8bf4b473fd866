// cac refuses an unknown flag with "Unknown option `--outDri`" (camel-cased); this restores the
// flag as typed and adds the one the user most likely meant: "Unknown option `--out-dri` (did you
// mean `--out-dir`?)".
import { suggestOption } from '../options/known.ts'

const kebab = (name: string) => name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)

/** The message to print for cac's unknown-option error, or undefined for any other error. */
export function unknownOptionMessage(error: unknown, rawNames: string[]): string | undefined {
  if (!(error instanceof Error) || error.name !== 'CACError') return undefined
  const unknown = /^Unknown option `-{1,2}([^`]+)`/.exec(error.message)?.[1]
  if (!unknown) return undefined
  const typed = `--${kebab(unknown)}`
  // rawName is e.g. '--task <name>' or '-h, --help': every long flag it spells.
  const flags = [...new Set(rawNames.flatMap((raw) => raw.split(/[\s,]+/).filter((part) => part.startsWith('--'))))]
  const hint = suggestOption(typed.slice(2), flags.map((flag) => flag.slice(2)))
  return `Unknown option \`${typed}\`${hint ? ` (did you mean \`--${hint}\`?)` : ''}`
}
