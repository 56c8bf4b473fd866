// The environment for this package's own child processes (the snapshot processes, the toolchain
// build): glibc's malloc told to back its large blocks with transparent huge pages
// (GLIBC_TUNABLES=glibc.malloc.hugetlb=1, read by glibc ≥ 2.35 at process start; the kernel
// honours it when THP is `madvise` or `always`). Those children mostly fill fresh buffers of
// megabytes — a 10 MB kit read and then copied by V8, a snapshot encoded — and on a VM every
// fresh 4 KiB page is a fault of ~18 µs: a snapshot process read and compiled its kit in ~200 ms,
// ~110 of them faults, and in ~50 ms with huge pages. Elsewhere (musl, macOS, Windows, THP off)
// the variable means nothing. A hugetlb setting of the user's own is left as it is.
const TUNABLES = 'GLIBC_TUNABLES'
const HUGE_PAGES = 'glibc.malloc.hugetlb=1'

export function hugePagesEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const own = env[TUNABLES]
  if (own?.includes('glibc.malloc.hugetlb=')) return env
  return { ...env, [TUNABLES]: own ? `${own}:${HUGE_PAGES}` : HUGE_PAGES }
}
