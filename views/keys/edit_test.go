package keys

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/views/common"
)

// typeText sends each rune of s as a key press.
func (f *editFixture) typeText(s string) {
	for _, r := range s {
		f.d.Press(string(r))
	}
}

// TestEditConflict: an edit saved after someone else changed the key writes nothing, shows the
// diff of both versions and, on yes, puts the edit onto the new version (keeping the lease).
func TestEditConflict(t *testing.T) {
	t.Setenv("EDITOR", "") // the inline editor
	f := newEditFixture(t, 120, 40, false)
	d, m := f.d, f.m
	ctx := context.Background()
	lease, err := f.etcd.Grant(ctx, 600)
	if err != nil {
		t.Fatal(err)
	}
	f.etcd.Put(ctx, "/app/flag", "on", clientv3.WithLease(lease.ID))
	f.inspect("/app/flag")
	d.Press("e")
	if !m.edit.areaOpen || !m.InputFocused() {
		t.Fatal("e did not open the inline editor")
	}
	f.typeText("X")
	f.etcd.Put(ctx, "/app/flag", "off", clientv3.WithIgnoreLease()) // someone else, meanwhile
	d.Press("ctrl+s")
	d.until("the conflict question", d.contains("changed since you opened it"))
	if !onScreen(d, "Overwrite it with your version") { // no merge: it says it replaces theirs
		t.Fatalf("the question does not say it overwrites:\n%s", d.screen())
	}
	if got := string(f.get(t, "/app/flag").Kvs[0].Value); got != "off" {
		t.Fatalf("a conflicting edit wrote %q", got)
	}
	if s := d.screen(); !strings.Contains(s, "-on") || !strings.Contains(s, "+off") {
		t.Fatalf("the conflict does not show both versions:\n%s", s)
	}
	d.Press("y")
	f.flashed("saved /app/flag")
	kv := f.get(t, "/app/flag").Kvs[0]
	if string(kv.Value) != "onX" || kv.Lease != int64(lease.ID) {
		t.Fatalf("after re-applying: value %q lease %x; want onX with lease %x", kv.Value, kv.Lease, lease.ID)
	}

	// An edit with no conflict keeps the lease too; dropping a conflict writes nothing.
	d.until("the new value", func() bool { return m.insp.info.ModRev == kv.ModRevision })
	d.Press("e")
	f.typeText("Y")
	d.Press("ctrl+s")
	f.flashed("saved /app/flag at rev")
	kv = f.get(t, "/app/flag").Kvs[0]
	if string(kv.Value) != "onXY" || kv.Lease != int64(lease.ID) {
		t.Fatalf("edit: value %q lease %x; want onXY with lease %x", kv.Value, kv.Lease, lease.ID)
	}
	d.until("the new value", func() bool { return m.insp.info.ModRev == kv.ModRevision })
	d.Press("e")
	f.typeText("Z")
	f.etcd.Put(ctx, "/app/flag", "theirs", clientv3.WithIgnoreLease())
	d.Press("ctrl+s")
	d.until("the conflict question", d.contains("changed since you opened it"))
	d.Press("n")
	f.flashed("edit dropped")
	if got := string(f.get(t, "/app/flag").Kvs[0].Value); got != "theirs" {
		t.Fatalf("a dropped edit wrote %q", got)
	}
	// Each attempt is in the audit log, conflicts included, and no value is.
	want := [][3]string{{"put", "/app/flag", "conflict"}, {"put", "/app/flag", "ok"}, {"put", "/app/flag", "ok"}, {"put", "/app/flag", "conflict"}}
	if got := f.auditLines(t); !reflect.DeepEqual(got, want) {
		t.Errorf("audit log %q, want %q", got, want)
	}
	if data, _ := os.ReadFile(f.audit); strings.Contains(string(data), "onX") {
		t.Error("the audit log holds a value")
	}
}

// TestKubernetesValueEditedAsHex: a protobuf value is never edited as its YAML; hex is offered.
func TestKubernetesValueEditedAsHex(t *testing.T) {
	t.Setenv("EDITOR", "")
	f := newEditFixture(t, 120, 40, false)
	d, m := f.d, f.m
	f.inspect("/registry/pods/default/web-0")
	d.Press("e")
	d.until("the hex offer", d.contains("never re-encoded from its YAML"))
	d.Press("y")
	d.until("the hex editor", func() bool { return m.edit.areaOpen })
	if !m.edit.hex || !strings.HasPrefix(m.edit.area.Value(), "6b 38 73 00") {
		t.Fatalf("hex editing not opened: open %v hex %v %q", m.edit.areaOpen, m.edit.hex, m.edit.area.Value())
	}
	d.Press("esc")
	f.flashed("edit dropped")
}

// TestDeleteConflict: d deletes only the version shown.
func TestDeleteConflict(t *testing.T) {
	f := newEditFixture(t, 80, 24, false)
	d := f.d
	f.inspect("/app/notes")
	d.Press("d")
	d.until("the question", d.contains("delete /app/notes (mod rev"))
	f.etcd.Put(context.Background(), "/app/notes", "changed")
	d.Press("y")
	f.flashed("changed since it was read")
	if got := f.get(t, "/app/notes"); len(got.Kvs) != 1 || string(got.Kvs[0].Value) != "changed" {
		t.Fatalf("a conflicting delete removed the key: %v", got.Kvs)
	}
	// From the list, the question names the current mod revision; yes deletes.
	d.Press("esc")
	d.Press("d")
	d.until("the question", d.contains("delete /app/notes (mod rev"))
	d.Press("y")
	f.flashed("deleted /app/notes")
	if got := f.get(t, "/app/notes"); len(got.Kvs) != 0 {
		t.Fatal("the key is still there")
	}
}

// TestNewKey: n creates a key with a TTL (a lease); n on an existing key writes nothing.
func TestNewKey(t *testing.T) {
	f := newEditFixture(t, 80, 24, false)
	d := f.d
	d.Send(gotoDir("/app/"))
	d.until("the listing", d.contains("config"))
	d.Press("n")
	d.until("the path prompt", d.contains("new key: /app/"))
	f.typeText("fresh")
	d.Press("enter")
	f.typeText("60s")
	d.Press("enter")
	f.typeText("hello")
	d.Press("enter")
	f.flashed("created /app/fresh")
	kv := f.get(t, "/app/fresh").Kvs[0]
	if string(kv.Value) != "hello" || kv.Lease == 0 {
		t.Fatalf("created %q with lease %x", kv.Value, kv.Lease)
	}
	ttl, err := f.etcd.TimeToLive(context.Background(), clientv3.LeaseID(kv.Lease))
	if err != nil || ttl.TTL <= 0 || ttl.TTL > 60 {
		t.Fatalf("its lease: %+v, %v", ttl, err)
	}

	d.Press("n")
	f.typeText("config")
	d.Press("enter", "enter")
	f.typeText("overwrite?")
	d.Press("enter")
	f.flashed("/app/config already exists: nothing written")
	if got := string(f.get(t, "/app/config").Kvs[0].Value); strings.Contains(got, "overwrite") {
		t.Fatalf("n overwrote an existing key: %q", got)
	}
}

// TestDeleteDirTypedPrefix: D counts first, and deletes only when the prefix is typed exactly,
// trailing separator included.
func TestDeleteDirTypedPrefix(t *testing.T) {
	f := newEditFixture(t, 80, 24, false)
	d, m := f.d, f.m
	f.etcd.Put(context.Background(), "/registry/podsecuritypolicies/x", "keep me")
	d.Send(gotoDir("/registry/"))
	d.until("the listing", d.contains("pods/"))
	for m.selectedName() != "pods" {
		d.Press("j")
	}
	d.Press("D")
	d.until("the count", d.contains("delete 2 keys under /registry/pods/"))
	f.typeText("/registry/pods")
	d.Press("enter")
	f.flashed("not deleted: type the prefix exactly, with its trailing /")
	if n := len(f.get(t, "/registry/pods/default/web-0").Kvs); n != 1 {
		t.Fatal("deleted without the trailing separator")
	}
	d.Press("D")
	d.until("the count", d.contains("delete 2 keys under /registry/pods/"))
	f.typeText("/registry/pods/")
	d.Press("enter")
	f.flashed("deleted 2 keys under /registry/pods/")
	resp, _ := f.etcd.Get(context.Background(), "/registry/", clientv3.WithPrefix())
	if len(resp.Kvs) != 1 || string(resp.Kvs[0].Key) != "/registry/podsecuritypolicies/x" {
		t.Fatalf("left under /registry/: %v", resp.Kvs)
	}
}

// TestUndelete: u puts a deleted key back from its history, create-only: a key recreated since
// is not overwritten.
func TestUndelete(t *testing.T) {
	f := newEditFixture(t, 120, 40, false)
	d, m := f.d, f.m
	ctx := context.Background()
	f.inspect("/app/notes")
	f.etcd.Delete(ctx, "/app/notes")
	d.Press("H")
	d.until("the deletion in the history", d.contains("deleted"))
	d.Press("u")
	d.until("the question", d.contains("create-only)?"))
	if strings.Contains(d.screen(), "lease") {
		t.Fatalf("a key that had no lease: the question speaks of one:\n%s", d.screen())
	}
	f.etcd.Put(ctx, "/app/notes", "recreated") // meanwhile
	d.Press("y")
	f.flashed("exists now (recreated since?): not overwritten")
	if got := string(f.get(t, "/app/notes").Kvs[0].Value); got != "recreated" {
		t.Fatalf("undelete overwrote a recreated key: %q", got)
	}
	f.etcd.Delete(ctx, "/app/notes")
	d.Run(m.openHistory("/app/notes")) // the key is gone from the list: open its history directly
	d.until("the history", func() bool { return !m.hist.loading && len(m.hist.h.Revs) == 4 })
	for i := 0; i < 4; i++ {
		if r, _ := m.hist.selected(); r.Deleted && string(r.Value) == "remember the milk\nand the eggs" {
			break
		}
		d.Press("j")
	}
	d.Press("u", "y")
	f.flashed("restored /app/notes")
	if got := string(f.get(t, "/app/notes").Kvs[0].Value); got != "remember the milk\nand the eggs" {
		t.Fatalf("undelete put back %q", got)
	}
	for _, fl := range f.flash {
		if strings.Contains(fl, "restored /app/notes") && strings.Contains(fl, "lease") {
			t.Fatalf("a key that had no lease: %q", fl)
		}
	}

	// A key that had a lease: the question and the result say it is not restored.
	lease, err := f.etcd.Grant(ctx, 600)
	if err != nil {
		t.Fatal(err)
	}
	f.etcd.Put(ctx, "/app/leased", "v", clientv3.WithLease(lease.ID))
	f.etcd.Delete(ctx, "/app/leased")
	d.Run(m.openHistory("/app/leased"))
	d.until("the history", func() bool { return !m.hist.loading && len(m.hist.h.Revs) == 2 })
	for i := 0; i < 2; i++ {
		if r, _ := m.hist.selected(); r.Deleted {
			break
		}
		d.Press("j")
	}
	d.Press("u")
	d.until("the question", d.contains(fmt.Sprintf("its lease %x not restored; create-only", lease.ID)))
	d.Press("y")
	f.flashed("restored /app/leased at rev")
	f.flashed("(its old lease is not restored)")
}

// TestReadOnlyRefusesEdits: under --read-only every edit says why and writes nothing.
func TestReadOnlyRefusesEdits(t *testing.T) {
	f := newEditFixture(t, 120, 40, true)
	d := f.d
	before := f.get(t, "/app/config").Header.Revision
	f.inspect("/app/config")
	for _, k := range []string{"e", "d", "u"} {
		f.flash = nil
		d.Press(k)
		f.flashed(cluster.ErrReadOnly.Error())
	}
	d.Press("esc")
	d.Send(gotoDir("/registry/"))
	d.until("the listing", d.contains("pods/"))
	for _, k := range []string{"n", "D"} {
		f.flash = nil
		d.Press(k)
		f.flashed(cluster.ErrReadOnly.Error())
	}
	if f.m.InputFocused() {
		t.Fatal("a refused edit left a prompt open")
	}
	if rev := f.get(t, "/app/config").Header.Revision; rev != before {
		t.Fatalf("read-only session wrote: revision %d → %d", before, rev)
	}
	// The view refuses before asking anything; the write path would refuse and log it too.
	s := f.m.common.Session
	if _, err := s.Client.Put(context.Background(), "/app/x", []byte("v"), cluster.PutOptions{CreateOnly: true}); !errors.Is(err, cluster.ErrReadOnly) {
		t.Errorf("write API under --read-only: %v", err)
	}
	// Every refusal the user saw went through the write gate and left its audit line.
	want := [][3]string{
		{"put", "/app/config", "refused: read-only"}, {"delete", "/app/config", "refused: read-only"},
		{"create", "/app/config", "refused: read-only"}, {"create", "/registry/", "refused: read-only"},
		{"delete-prefix", "/registry/pods/", "refused: read-only"}, {"create", "/app/x", "refused: read-only"},
	}
	if got := f.auditLines(t); !reflect.DeepEqual(got, want) {
		t.Errorf("audit lines of the refused keys e d u n D and the API put:\n%q\nwant\n%q", got, want)
	}
}

func gotoDir(p string) common.GotoMsg { return common.GotoMsg{Path: p} }

// TestEditFromList: e on a key in the list opens it and edits the value it shows.
func TestEditFromList(t *testing.T) {
	t.Setenv("EDITOR", "")
	f := newEditFixture(t, 80, 24, false)
	d, m := f.d, f.m
	d.Send(gotoDir("/app/notes"))
	d.until("the key selected", func() bool { return m.selectedName() == "notes" })
	d.Press("e")
	d.until("the inline editor", func() bool { return m.edit.areaOpen })
	if got := m.edit.area.Value(); got != "remember the milk\nand the eggs" {
		t.Fatalf("editing %q", got)
	}
	f.typeText("!")
	d.Press("ctrl+s")
	f.flashed("saved /app/notes")
	if got := string(f.get(t, "/app/notes").Kvs[0].Value); got != "remember the milk\nand the eggs!" {
		t.Fatalf("saved %q", got)
	}
}
