package viewtest

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/etcdeck/etcdeck/cluster"
)

// AuditLog reads the audit log at path as its entries, in order; a line that is not an entry
// fails the test.
func AuditLog(t testing.TB, path string) []cluster.AuditEntry {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []cluster.AuditEntry
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if l == "" {
			continue
		}
		var e cluster.AuditEntry
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("audit line %q: %v", l, err)
		}
		out = append(out, e)
	}
	return out
}

// AuditTriples is AuditLog as action, target and result, what view tests compare.
func AuditTriples(t testing.TB, path string) [][3]string {
	t.Helper()
	var out [][3]string
	for _, e := range AuditLog(t, path) {
		out = append(out, [3]string{e.Action, e.Target, e.Result})
	}
	return out
}
