// `node dist/main.mjs '<snippet>'`: evaluates the snippet in a sandbox and prints the outcome.
import { evaluate } from './tasks/sandbox.capsule.ts'

const snippet = process.argv[2] ?? 'return [1, 2, 3].map((n) => n * n)'
const envelope = await evaluate(snippet)

if (envelope.success) {
  console.log(`result: ${JSON.stringify(envelope.result)}`)
} else {
  console.log(`${envelope.error!.error_type}: ${envelope.error!.message}`)
}
console.log(`fuel ${envelope.execution.fuel_consumed}, ${envelope.execution.duration_ms} ms`)
process.exitCode = envelope.success ? 0 : 1
