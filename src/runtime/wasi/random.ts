// wasi:random: the host's CSPRNG, so every fresh instance sees different random numbers.
// Web Crypto's global (the same generator as node:crypto) keeps node:crypto out of the
// sandbox worker's start-up.
const getRandomValues = (bytes: Uint8Array): Uint8Array => globalThis.crypto.getRandomValues(bytes)

const MAX_CHUNK = 65_536

function getRandomBytes(length: bigint): Uint8Array {
  const bytes = new Uint8Array(Number(length))
  for (let offset = 0; offset < bytes.length; offset += MAX_CHUNK) {
    getRandomValues(bytes.subarray(offset, offset + MAX_CHUNK))
  }
  return bytes
}

export const random = {
  getRandomBytes,
  getRandomU64: (): bigint => new DataView(getRandomBytes(8n).buffer).getBigUint64(0),
}
