// OpenTelemetry for an application that starts its SDK after it made the runtime: the runtime
// loads @opentelemetry/api only once something is registered with it (no span could be recorded
// before), and the calls made from then on get their spans. (A file of its own: the API's
// registrations are global to the process.)
import { trace } from '@opentelemetry/api'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { afterAll, describe, expect, it } from 'vitest'
import { createRuntime } from 'unplugin-capsule/runtime'
import { REPO_ROOT } from './helpers/cli.ts'

const file = 'fixtures/lifecycle.capsule.ts'
const runtime = createRuntime({ cwd: REPO_ROOT, poolSize: 1 })
const exporter = new InMemorySpanExporter()
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })

afterAll(async () => {
  await runtime.close()
  await provider.shutdown()
  trace.disable()
})

describe('an OpenTelemetry SDK registered after the runtime was made', () => {
  it('gets spans for the calls made once it is registered', async () => {
    expect(await runtime.run({ file, task: 'double', args: [1] })).toMatchObject({ success: true, result: 2 })
    expect(exporter.getFinishedSpans()).toEqual([])

    trace.setGlobalTracerProvider(provider)
    expect(await runtime.run({ file, task: 'double', args: [2] })).toMatchObject({ success: true, result: 4 })
    const names = exporter.getFinishedSpans().map((span) => [span.name, span.attributes['capsule.task']])
    expect(names).toEqual([['capsule.attempt', 'double'], ['capsule.call', 'double']])
  })
})
