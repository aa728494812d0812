package cluster_test

import (
	"slices"
	"testing"

	"github.com/etcdeck/etcdeck/cluster"
)

// TestProbeSibling: the sibling listed for names is the smallest directory between a hundredth
// and a quarter of the child's keys; none for a small child, one whose count is unknown, or when
// no sibling fits; leaves are never picked.
func TestProbeSibling(t *testing.T) {
	rows := []cluster.Row{
		{Name: "clusterroles", Dir: true, Count: 120},           // under a hundredth of events
		{Name: "configmaps", Dir: true, Count: 50_281},          // above a quarter
		{Name: "cronjobs", Dir: true, Count: 6_181},             // fits
		{Name: "events", Dir: true, Count: 196_755},             // the child
		{Name: "leases", Dir: true, Count: 3_990},               // fits, smallest
		{Name: "leaf", Leaf: true, Count: 5_000},                // a leaf
		{Name: "pods", Dir: true, Count: 376_082},               // bigger
		{Name: "secrets", Dir: true, Count: 49_000},             // fits
		{Name: "unknown", Dir: true, Count: -1},                 // not counted yet
		{Name: "small", Dir: true, Count: cluster.ProbeMin - 1}, // a child too small to probe for
	}
	for _, tc := range []struct{ child, want string }{
		{"events", "leases"},
		{"pods", "leases"}, // 3,760–94,020 fit: configmaps, secrets, cronjobs, leases (3,990 the smallest)
		{"small", ""},
		{"unknown", ""},
		{"leases", ""},
		{"missing", ""},
	} {
		// (No row here is named "": ok tells an empty name from none.)
		if got, ok := cluster.ProbeSibling(rows, tc.child, cluster.ProbeMin); got != tc.want || ok != (tc.want != "") {
			t.Errorf("ProbeSibling(%s) = %q, want %q", tc.child, got, tc.want)
		}
	}
	if got := cluster.DirNames(rows); slices.Contains(got, "leaf") || len(got) != len(rows)-1 {
		t.Errorf("DirNames = %q", got)
	}
}
