// wasi:random: the host's CSPRNG, so every fresh instance sees different random numbers.
import { getRandomValues } from 'node:crypto'

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
