//go:build unix

package nodetest

import "testing"

// TestFreePortIsClaimed: a port FreePort handed out is claimed on the machine: another claim of
// it, as another package's test binary would make (a second open file description, as a second
// process has), is refused while this process lives.
func TestFreePortIsClaimed(t *testing.T) {
	p := FreePort(t)
	ports.Lock()
	defer ports.Unlock()
	if claimPort(p) {
		t.Fatalf("port %d was handed out, yet another claim of it succeeded", p)
	}
}
