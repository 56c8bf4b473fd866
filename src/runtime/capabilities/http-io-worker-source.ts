// Source of the HTTP I/O worker (run with `new Worker(source, { eval: true })`, so it needs no
// file on disk and survives bundling). It performs ONE hop per message with node:http(s) —
// never following redirects, policy checks stay with the caller — connecting only to the
// addresses the caller checked (`addresses`), then posts the answer on its port and bumps +
// notifies the shared counter the blocked caller waits on. It also resolves names for the
// caller (`op: 'lookup'`), so the caller can check the addresses before any hop.
// Message in:  { id, method, url, addresses?, headers: [name, value][], body?: Uint8Array, maxBodyBytes, timeoutMs }
//              | { id, op: 'lookup', hostname, timeoutMs }
// Message out: { id, ok: true, status, statusText, headers, body } | { id, ok: true, addresses }
//              | { id, ok: false, code, message }

export const HTTP_IO_WORKER_SOURCE = String.raw`
'use strict'
const { workerData } = require('node:worker_threads')
const http = require('node:http')
const https = require('node:https')
const zlib = require('node:zlib')
const dns = require('node:dns')
const net = require('node:net')
const { port, signal } = workerData
const counter = new Int32Array(signal)
const REDIRECTS = new Set([301, 302, 303, 307, 308])
const DECODERS = { gzip: () => zlib.createGunzip(), 'x-gzip': () => zlib.createGunzip(), deflate: () => zlib.createInflate(), br: () => zlib.createBrotliDecompress() }

function answer(message, transfer) {
  try { port.postMessage(message, transfer) }
  catch (error) { port.postMessage({ id: message.id, ok: false, code: 'EIO', message: 'could not pass the response: ' + error.message }) }
  Atomics.add(counter, 0, 1)
  Atomics.notify(counter, 0)
}

function perform(job) {
  let settled = false
  let request
  let timer
  const settle = (message, transfer) => {
    if (settled) return
    settled = true
    clearTimeout(timer)
    answer(message, transfer || [])
  }
  const failWith = (code, message) => {
    settle({ id: job.id, ok: false, code: code || 'EIO', message: String(message) })
    if (request) request.destroy()
  }
  timer = setTimeout(() => failWith('ETIMEDOUT', 'request timed out after ' + job.timeoutMs + ' ms'), Math.max(1, job.timeoutMs))
  try {
    const url = new URL(job.url)
    const client = url.protocol === 'https:' ? https : http
    const headers = Object.create(null) // repeated names become repeated header lines
    for (const [name, value] of job.headers) (headers[name] = headers[name] || []).push(value)
    if (job.body) headers['content-length'] = String(job.body.byteLength)
    const options = { method: job.method, headers }
    if (job.addresses && job.addresses.length > 0) options.lookup = pinnedLookup(job.addresses)
    request = client.request(url, options)
    request.on('error', error => failWith(error.code, error.message))
    request.on('response', response => receive(job, response, settle, failWith))
    request.end(job.body ? Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength) : undefined)
  }
  catch (error) {
    failWith(error && error.code, error && error.message)
  }
}

// Connect only to the addresses the caller checked, never to what a second DNS answer says.
function pinnedLookup(addresses) {
  const entries = addresses.map(address => ({ address, family: net.isIP(address) }))
  return (_hostname, options, callback) => {
    if (typeof options === 'function') callback = options
    if (options && options.all) callback(null, entries)
    else callback(null, entries[0].address, entries[0].family)
  }
}

function lookup(job) {
  let done = false
  const timer = setTimeout(() => { if (!done) { done = true; answer({ id: job.id, ok: false, code: 'ETIMEDOUT', message: 'DNS lookup timed out' }) } }, Math.max(1, job.timeoutMs))
  dns.lookup(job.hostname, { all: true, verbatim: true }, (error, found) => {
    if (done) return
    done = true
    clearTimeout(timer)
    if (error) answer({ id: job.id, ok: false, code: error.code || 'ENOTFOUND', message: 'getaddrinfo ' + (error.code || 'ENOTFOUND') + ' ' + job.hostname })
    else answer({ id: job.id, ok: true, addresses: found.map(entry => entry.address) })
  })
}

function receive(job, response, settle, failWith) {
  const status = response.statusCode || 0
  const raw = response.rawHeaders
  const headers = []
  for (let i = 0; i + 1 < raw.length; i += 2) headers.push([raw[i].toLowerCase(), raw[i + 1]])
  const head = { id: job.id, ok: true, status, statusText: response.statusMessage || '', headers }
  const empty = () => settle({ ...head, body: new Uint8Array(0) })
  if (REDIRECTS.has(status) && response.headers.location !== undefined) {
    response.destroy() // the caller decides whether to follow; this body is never read
    return empty()
  }
  const declared = Number(response.headers['content-length'])
  if (Number.isFinite(declared) && declared > job.maxBodyBytes) {
    response.destroy()
    return failWith('EFBIG', 'response body exceeds ' + job.maxBodyBytes + ' bytes')
  }
  let stream = response
  const encoding = String(response.headers['content-encoding'] || '').trim().toLowerCase()
  const decoder = job.method !== 'HEAD' && status !== 204 && status !== 304 ? DECODERS[encoding] : undefined
  if (decoder) {
    stream = response.pipe(decoder())
    response.on('error', error => failWith(error.code, error.message))
    head.headers = headers.filter(([name]) => name !== 'content-encoding' && name !== 'content-length')
  }
  const chunks = []
  let total = 0
  stream.on('data', chunk => {
    total += chunk.byteLength
    if (total > job.maxBodyBytes) {
      response.destroy()
      return failWith('EFBIG', 'response body exceeds ' + job.maxBodyBytes + ' bytes')
    }
    chunks.push(chunk)
  })
  stream.on('error', error => failWith(error.code, error.message))
  stream.on('end', () => {
    const body = new Uint8Array(total)
    let offset = 0
    for (const chunk of chunks) { body.set(chunk, offset); offset += chunk.byteLength }
    settle({ ...head, body }, [body.buffer])
  })
}

port.on('message', job => {
  try { if (job && job.op === 'lookup') lookup(job); else perform(job) }
  catch (error) { answer({ id: job && job.id, ok: false, code: 'EIO', message: String(error && error.message) }) }
})
`
