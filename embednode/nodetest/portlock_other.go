//go:build !unix

package nodetest

// claimPort claims nothing where flock is not available: the process's own set still keeps
// its members apart.
func claimPort(int) bool { return true }
