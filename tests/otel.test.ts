// OpenTelemetry spans from a real run, recorded by the SDK's in-memory exporter: one span per
// call, one child per attempt, sub-tasks under the caller's attempt, the caller's active span
// as the parent (AsyncLocalStorage context manager), and the attributes the README lists.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { context, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRuntime } from 'unplugin-capsule/runtime'
import { REPO_ROOT } from './helpers/cli.ts'

const exporter = new InMemorySpanExporter()
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
const contextManager = new AsyncLocalStorageContextManager().enable()
context.setGlobalContextManager(contextManager)
trace.setGlobalTracerProvider(provider)

const file = 'fixtures/lifecycle.capsule.ts'
const runtime = createRuntime({ cwd: REPO_ROOT, poolSize: 2 })

beforeAll(() => runtime.run({ file, task: 'double', args: [0] }))
afterAll(async () => {
  await runtime.close()
  await provider.shutdown()
  contextManager.disable()
  trace.disable()
  context.disable()
})

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId

describe('OpenTelemetry spans', () => {
  it('nests attempts and sub-tasks under the call, under the caller\'s active span', async () => {
    exporter.reset()
    const tracer = trace.getTracer('test')
    const envelope = await tracer.startActiveSpan('request', async (request) => {
      try {
        return await runtime.run({ file, task: 'pipeline', args: [10], mounts: [`${mkdtempSync(join(tmpdir(), 'capsule-otel-'))}::state:rw`] })
      } finally {
        request.end()
      }
    })
    expect(envelope).toMatchObject({ success: true, result: 21 })

    const spans = exporter.getFinishedSpans()
    const request = spans.find((s) => s.name === 'request')!
    const calls = spans.filter((s) => s.name === 'capsule.call')
    const attempts = spans.filter((s) => s.name === 'capsule.attempt')
    expect(calls).toHaveLength(3) // pipeline + one `double` per attempt
    expect(attempts).toHaveLength(4) // pipeline twice, each double once

    const pipeline = calls.find((s) => s.attributes['capsule.task'] === 'pipeline')!
    expect(pipeline.spanContext().traceId).toBe(request.spanContext().traceId)
    expect(parentOf(pipeline)).toBe(request.spanContext().spanId)
    expect(pipeline.attributes).toMatchObject({
      'capsule.task': 'pipeline',
      'capsule.module': 'fixtures/lifecycle.capsule.ts',
      'capsule.retries': 1,
      'capsule.fuel': envelope.execution.fuel_consumed,
      'capsule.ram': envelope.execution.ram_used,
    })
    expect(pipeline.attributes['capsule.error_type']).toBeUndefined()

    const pipelineAttempts = attempts.filter((s) => parentOf(s) === pipeline.spanContext().spanId)
      .sort((a, b) => Number(a.attributes['capsule.attempt']) - Number(b.attributes['capsule.attempt']))
    expect(pipelineAttempts.map((s) => [s.attributes['capsule.attempt'], s.attributes['capsule.error_type'], s.status.code]))
      .toEqual([[1, 'task_error', 2], [2, undefined, 0]])
    expect(pipelineAttempts[0]!.attributes['capsule.fuel']).toBeGreaterThan(0)

    const doubles = calls.filter((s) => s.attributes['capsule.task'] === 'double')
    expect(doubles.map(parentOf).sort()).toEqual(pipelineAttempts.map((s) => s.spanContext().spanId).sort())
    for (const double of doubles) {
      expect(double.attributes).toMatchObject({ 'capsule.parent_id': pipeline.attributes['capsule.call_id'], 'capsule.retries': 0 })
      const child = attempts.filter((s) => parentOf(s) === double.spanContext().spanId)
      expect(child).toHaveLength(1)
    }
    for (const span of [...calls, ...attempts]) expect(span.spanContext().traceId).toBe(request.spanContext().traceId)
  })

  it('marks a failed call with its error_type and an error status', async () => {
    exporter.reset()
    const envelope = await runtime.run({ file, task: 'pipeline', args: [1] }) // no state/ mount: writing the marker is refused
    expect(envelope.success).toBe(false)
    const call = exporter.getFinishedSpans().find((s) => s.name === 'capsule.call' && s.attributes['capsule.task'] === 'pipeline')!
    expect(call.attributes['capsule.error_type']).toBe(envelope.error!.error_type)
    expect(call.attributes['capsule.retries']).toBe(1)
    expect(call.status.code).toBe(2)
    expect(parentOf(call)).toBeUndefined()
  })
})
