package config

// The console's memory is bounded by its settings, not by the garbage collector's headroom: the
// console sets the Go runtime's soft memory limit to MemoryLimit (unless GOMEMLIMIT is set), so
// the heap is collected before it passes what the budgets allow instead of growing to twice the
// live heap. Without a limit, a full 64 MiB watch buffer of 1,000-byte values peaked at 209 MiB
// RSS.
const (
	// CacheAllowance is what the console keeps besides the watch buffer: the Keys view's open
	// directory (a page of rows with their counts and sizes), the previewed value with its
	// decoded forms (etcd's largest value is 1.5 MiB by default), the snapshot status cache, a
	// view's task results, and the names of the directories listed (at most 1 MiB, for listing
	// them or their siblings again). Nothing else of a directory is kept once it is left.
	CacheAllowance int64 = 8 << 20
	// RuntimeAllowance is the fixed part: the Go runtime and its stacks, gRPC's connection
	// buffers, the watch stream's bounded channel and the screen being drawn.
	RuntimeAllowance int64 = 24 << 20
)

// MemoryLimit is the soft memory limit the console runs with: the watch buffer's byte budget
// plus the caches' and the runtime's allowances.
func (s *Settings) MemoryLimit() int64 {
	return max(s.WatchBufferBytes, 0) + CacheAllowance + RuntimeAllowance
}
