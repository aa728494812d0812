package watch

import (
	"fmt"
	"testing"

	"github.com/etcdeck/etcdeck/cluster"
)

func TestFilterMatch(t *testing.T) {
	put := ev(1, "/app/config/db", "host=db1 password=x")
	del := entry{ev: cluster.Event{Kind: cluster.EventDelete, Key: "/app/lock", Rev: 2}}
	note := entry{note: "reconnected to member m1 at revision 3"}
	for _, tc := range []struct {
		text           string
		re, values     bool
		puts, deletes  bool
		put, del, note bool
	}{
		{puts: true, deletes: true, put: true, del: true, note: true},
		{text: "config", puts: true, deletes: true, put: true, note: true},
		{text: "db1", puts: true, deletes: true, note: true},
		{text: "db1", values: true, puts: true, deletes: true, put: true, note: true},
		{text: "^/app/(lock|x)$", re: true, puts: true, deletes: true, del: true, note: true},
		{text: "^/app/(lock|x)$", puts: true, deletes: true, note: true}, // as a substring: no match
		{text: "pass.*=x", re: true, values: true, puts: true, deletes: true, put: true, note: true},
		{text: "/app/", puts: false, deletes: true, del: true, note: true},
		{text: "/app/", puts: true, deletes: false, put: true, note: true},
	} {
		f, err := allEvents().withText(tc.text, tc.re)
		if err != nil {
			t.Fatal(err)
		}
		f.values, f.puts, f.deletes = tc.values, tc.puts, tc.deletes
		got := [3]bool{f.match(&put), f.match(&del), f.match(&note)}
		if want := [3]bool{tc.put, tc.del, tc.note}; got != want {
			t.Errorf("filter %s: put/del/note matched %v, want %v", f, got, want)
		}
	}
	if _, err := allEvents().withText("a(", true); err == nil {
		t.Error("a broken regular expression was accepted")
	}
}

// TestVisible: the filtered rows follow pushes and drops without rescanning, and a rebuild
// after a filter change never removes an event from the buffer.
func TestVisible(t *testing.T) {
	b := newBuffer(5, 1<<30)
	f, _ := allEvents().withText("/a/", false)
	var v visible
	push := func(e entry) {
		seq, _ := b.push(e)
		v.trim(b.firstSeq())
		if f.match(b.bySeq(seq)) {
			v.add(seq)
		}
	}
	for i := 1; i <= 8; i++ {
		k := "/b/x"
		if i%2 == 0 {
			k = "/a/x"
		}
		push(ev(int64(i), k, "v"))
	}
	rows := func() string {
		var out []int64
		for i := range v.len() {
			out = append(out, b.bySeq(v.at(i)).ev.Rev)
		}
		return fmt.Sprint(out)
	}
	if rows() != "[4 6 8]" || b.len() != 5 {
		t.Fatalf("rows %s (buffer %d), want [4 6 8] of 5", rows(), b.len())
	}
	f, _ = allEvents().withText("", false)
	v.rebuild(b, &f)
	if rows() != "[4 5 6 7 8]" {
		t.Fatalf("after clearing the filter rows %s, want the whole buffer", rows())
	}
	if i := v.index(b.at(2).seq); i != 2 {
		t.Errorf("index of the third entry = %d", i)
	}
	if i := v.index(b.firstSeq() - 1); i != -1 {
		t.Errorf("index before the first = %d, want -1", i)
	}
}
