package keys

import (
	"context"
	"strings"
	"testing"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// offers says whether the view's hints (ShortHelp, what the status bar shows) or its full help
// name the binding whose help key is k.
func offers(m *Model, k string) bool {
	all := m.ShortHelp()
	for _, col := range m.FullHelp() {
		all = append(all, col...)
	}
	for _, b := range all {
		if b.Enabled() && b.Help().Key == k {
			return true
		}
	}
	return false
}

// TestHintsNeverOfferEditWhereItCannot: e is offered on a key of a writable session, and not in
// read-only mode (where pressing it still says why, through the write gate), not on a key whose
// lease expired (revoked under the open inspector: the key went with it), and not while the
// inline editor has the keys.
func TestHintsNeverOfferEditWhereItCannot(t *testing.T) {
	t.Run("read-only", func(t *testing.T) {
		f := newEditFixture(t, 80, 24, true)
		f.d.Send(gotoDir("/app/notes"))
		f.d.until("notes selected", func() bool { return f.m.selectedName() == "notes" })
		if offers(f.m, "e") || offers(f.m, "d") || offers(f.m, "n") {
			t.Fatalf("read-only: hints offer writes: %v", helpKeys(f.m))
		}
		f.d.Press("e")
		f.flashed("read-only")
		if f.m.edit.areaOpen || f.m.ask.active() {
			t.Fatal("read-only: e started an edit")
		}
	})

	t.Run("lease expired", func(t *testing.T) {
		f := newEditFixture(t, 80, 24, false)
		ctx := context.Background()
		lease, err := f.etcd.Grant(ctx, 600)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.etcd.Put(ctx, "/app/leased", "v", clientv3.WithLease(lease.ID)); err != nil {
			t.Fatal(err)
		}
		f.inspect("/app/leased")
		if !offers(f.m, "e") {
			t.Fatalf("a key with a live lease: e not offered: %v", helpKeys(f.m))
		}
		if _, err := f.etcd.Revoke(ctx, lease.ID); err != nil {
			t.Fatal(err)
		}
		f.d.until("the key gone with its lease", f.d.contains("the key does not exist"))
		if offers(f.m, "e") {
			t.Fatalf("a key whose lease expired: e offered: %v", helpKeys(f.m))
		}
	})

	t.Run("inline editor", func(t *testing.T) {
		t.Setenv("EDITOR", "")
		f := newEditFixture(t, 80, 24, false)
		f.inspect("/app/notes")
		if !offers(f.m, "e") {
			t.Fatalf("the inspector on a key: e not offered: %v", helpKeys(f.m))
		}
		f.d.Press("e")
		f.d.until("the inline editor", func() bool { return f.m.edit.areaOpen })
		if offers(f.m, "e") || offers(f.m, "d") {
			t.Fatalf("inline editor open: hints offer %v", helpKeys(f.m))
		}
		f.d.Press("esc")
		if !offers(f.m, "e") {
			t.Fatalf("editor closed: e not offered again: %v", helpKeys(f.m))
		}
	})
}

func helpKeys(m *Model) string {
	var ks []string
	for _, b := range m.ShortHelp() {
		if b.Enabled() {
			ks = append(ks, b.Help().Key)
		}
	}
	return strings.Join(ks, " ")
}
