// Memoizes an async load per key; a failed load is forgotten so the next call retries it.

export function memoize<T>(map: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let entry = map.get(key)
  if (!entry) {
    entry = load()
    entry.catch(() => map.delete(key))
    map.set(key, entry)
  }
  return entry
}
