package cluster

import "testing"

// TestBuilderIgnoresForeignKeys: a key outside the directory (a server bug or a wrong range)
// adds no row and cannot panic, even when shorter than the prefix.
func TestBuilderIgnoresForeignKeys(t *testing.T) {
	b := newBuilder("/registry/pods/", '/')
	var st scanState
	for _, k := range []string{"/", "", "/registry/", "/registry/podsX", "/b/x"} {
		if b.newRow(k) {
			t.Errorf("newRow(%q) = true for a key outside the directory", k)
		}
		if _, jump := b.add(&st, k); jump {
			t.Errorf("add(%q) asked for a jump", k)
		}
	}
	b.add(&st, "/registry/pods/ns/a")
	if rows := b.sorted(); len(rows) != 1 || rows[0].Name != "ns" || !rows[0].Dir {
		t.Fatalf("rows = %+v, want only the directory ns", rows)
	}
}
