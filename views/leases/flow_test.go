package leases

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
	"github.com/etcdeck/etcdeck/keymap"
	"github.com/etcdeck/etcdeck/views/common"
	"github.com/etcdeck/etcdeck/views/common/viewtest"
)

// fixture is the Leases view on a real member holding three leases: one with no key (60 s),
// one with a key (10 min) and one with three keys (1 h), beside keys with no lease.
type fixture struct {
	t     *testing.T
	m     *Model
	d     *viewtest.Driver
	etcd  *clientv3.Client
	audit string
	ids   [3]int64
	flash []string
	gotos []string
}

func newFixture(t *testing.T, readOnly bool) *fixture {
	t.Helper()
	member := nodetest.Start(t)
	etcd := nodetest.Client(t, member.Endpoints())
	ctx := context.Background()
	f := &fixture{t: t, etcd: etcd, audit: filepath.Join(t.TempDir(), "audit.log")}
	for i, ttl := range []int64{60, 600, 3600} {
		l, err := etcd.Grant(ctx, ttl)
		if err != nil {
			t.Fatal(err)
		}
		f.ids[i] = int64(l.ID)
		for k := range []int{0, 1, 3}[i] {
			key := fmt.Sprintf("/leased/%d/k%d", i, k)
			if i == 2 && k == 2 {
				key += "\\ \xff" // a backslash, a space and a byte that is no UTF-8: opened as itself
			}
			if _, err := etcd.Put(ctx, key, "v", clientv3.WithLease(l.ID)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := etcd.Put(ctx, "/plain", "v"); err != nil {
		t.Fatal(err)
	}
	audit, err := cluster.OpenAudit(f.audit)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { audit.Close() })
	s := viewtest.Session(t, member.Endpoints(), cluster.WithReadOnly(readOnly), cluster.WithAudit(audit))
	f.m = New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap(), Session: s})
	f.m.SetSize(100, 30)
	f.d = viewtest.New(t, f.m)
	f.d.Seen = func(msg tea.Msg) {
		switch msg := msg.(type) {
		case common.FlashMsg:
			f.flash = append(f.flash, msg.Text)
		case common.GotoMsg:
			f.gotos = append(f.gotos, msg.Path)
		}
	}
	f.d.Run(f.m.Focus())
	return f
}

// screen is the view as text, without styles.
func (f *fixture) screen() string { return ansi.Strip(f.m.View()) }

// until processes the view's messages until cond holds (10 s at most: a failure, not a timing).
func (f *fixture) until(what string, cond func() bool) {
	f.t.Helper()
	deadline := time.After(10 * time.Second)
	for !cond() {
		select {
		case msg := <-f.d.Msgs:
			f.d.Send(msg)
		case <-deadline:
			f.t.Fatalf("waiting for %s; screen:\n%s", what, f.screen())
		}
	}
}

// shows waits until the screen holds s.
func (f *fixture) shows(s string) {
	f.t.Helper()
	f.until("the screen to show "+s, func() bool { return strings.Contains(f.screen(), s) })
}

func (f *fixture) flashed(s string) {
	f.t.Helper()
	f.until("a flash saying "+s, func() bool {
		for _, fl := range f.flash {
			if strings.Contains(fl, s) {
				return true
			}
		}
		return false
	})
}

// row is the screen line of lease id.
func (f *fixture) row(id int64) string {
	for _, l := range strings.Split(f.screen(), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), cluster.FormatLeaseID(id)+" ") {
			return l
		}
	}
	return ""
}

// select moves the cursor to lease id.
func (f *fixture) selectLease(id int64) {
	f.t.Helper()
	f.d.Press("g")
	for i := 0; i < len(f.m.list); i++ {
		if cur, _ := f.m.selectedID(); cur == id {
			return
		}
		f.d.Press("j")
	}
	f.t.Fatalf("lease %x not in the list %x", id, f.m.list)
}

func (f *fixture) auditLines() [][3]string {
	f.t.Helper()
	return viewtest.AuditTriples(f.t, f.audit)
}

// TestLeasesCountsOrphansTicking: the view lists the three leases with their granted TTLs and
// key counts, the summary counts 4 keys attached and 1 lease with no key, by TTL bucket, and
// the remaining TTL counts down between reads.
func TestLeasesCountsOrphansTicking(t *testing.T) {
	f := newFixture(t, false)
	f.shows("3 leases · 4 keys attached · 1 with no key · TTL ≤1m 1 ≤10m 1 ≤1h 1")
	for i, want := range []string{"1m", "10m", "1h"} {
		f.until("lease row "+want, func() bool {
			fields := strings.Fields(f.row(f.ids[i]))
			return len(fields) == 4 && fields[1] == want && fields[3] == []string{"0", "1", "3"}[i]
		})
	}
	// Ticking: the remaining time shown for the 10-minute lease goes down with no new read.
	first := strings.Fields(f.row(f.ids[1]))[2]
	f.until("the remaining TTL to count down from "+first, func() bool {
		fields := strings.Fields(f.row(f.ids[1]))
		return len(fields) == 4 && secs(t, fields[2]) < secs(t, first)
	})
	// A result of another session is dropped unread.
	f.d.Send(detailsMsg{session: f.m.common.SessionID() + 1, gen: f.m.gen, leases: []cluster.Lease{{ID: f.ids[0], Granted: 999, TTL: 999, NumKeys: 42, Read: time.Now()}}})
	// The key count's column, not the whole row: a lease ID in hex can hold "42" (CI flake).
	if fields := strings.Fields(f.row(f.ids[0])); len(fields) != 4 || fields[3] == "42" {
		t.Errorf("another session's read landed: %q", f.row(f.ids[0]))
	}
}

// TestLeasesKeysAndOpen: enter lists a lease's keys; enter on a key goes to the Keys view at it
// (the inspector); esc goes back to the list.
func TestLeasesKeysAndOpen(t *testing.T) {
	f := newFixture(t, false)
	f.shows("3 leases")
	f.selectLease(f.ids[2])
	f.d.Press("enter")
	f.shows("keys of lease " + cluster.FormatLeaseID(f.ids[2]) + " · 3 keys · granted 1h")
	for k := range 3 {
		if !strings.Contains(f.screen(), fmt.Sprintf("/leased/2/k%d", k)) {
			t.Errorf("key /leased/2/k%d not listed:\n%s", k, f.screen())
		}
	}
	f.d.Press("j", "enter")
	f.until("a goto to the second key", func() bool { return len(f.gotos) == 1 })
	if f.gotos[0] != "/leased/2/k1" {
		t.Errorf("enter went to %q, want /leased/2/k1", f.gotos[0])
	}
	f.d.Press("j", "enter")
	f.until("a goto to the third key", func() bool { return len(f.gotos) == 2 })
	if raw, err := cluster.UnescapeKey(f.gotos[1]); err != nil || raw != "/leased/2/k2\\ \xff" {
		t.Errorf("enter went to %q (%q, %v), want the key /leased/2/k2\\ \xff itself", f.gotos[1], raw, err)
	}
	if !f.m.HandlesBack() {
		t.Error("esc would not go back to the list from the keys")
	}
	f.d.Press("esc")
	f.shows("ID ")
	// The orphan says so.
	f.selectLease(f.ids[0])
	f.d.Press("enter")
	f.shows("no keys are attached to this lease")
}

// TestLeasesRevokeDeletesKeys: d on the 3-key lease asks, naming the 3 keys, and only the typed
// word revokes it; its keys are gone after, the flash says how many, and the audit log has it.
func TestLeasesRevokeDeletesKeys(t *testing.T) {
	f := newFixture(t, false)
	f.shows("3 leases")
	f.selectLease(f.ids[2])
	f.d.Press("d")
	f.until("the question", func() bool { return f.m.confirm.Active() })
	q := strings.Join(strings.Fields(f.screen()), " ")
	if !strings.Contains(q, "Revoke lease "+cluster.FormatLeaseID(f.ids[2])+"? It deletes 3 keys: /leased/2/k0, /leased/2/k1, "+cluster.EscapeKey("/leased/2/k2\\ \xff")+".") ||
		!strings.Contains(q, "type revoke and enter") {
		t.Fatalf("question does not name the keys or the word:\n%s", f.screen())
	}
	f.d.Press("r", "e", "v", "enter") // a prefix of the word is no
	f.flashed("not revoked")
	if n := f.count("/leased/2/"); n != 3 {
		t.Fatalf("a mistyped word deleted keys: %d left", n)
	}
	f.d.Press("d")
	f.until("the question again", func() bool { return f.m.confirm.Active() })
	f.d.Press("r", "e", "v", "o", "k", "e", "enter")
	f.flashed("revoked lease " + cluster.FormatLeaseID(f.ids[2]) + ": 3 keys deleted")
	if n := f.count("/leased/2/"); n != 0 {
		t.Errorf("%d keys of the revoked lease left", n)
	}
	f.shows("2 leases")
	want := [3]string{"lease-revoke", "lease " + cluster.FormatLeaseID(f.ids[2]), "ok"}
	if got := f.auditLines(); len(got) != 1 || got[0] != want {
		t.Errorf("audit %q, want one line %q", got, want)
	}
	// :lease grant adds a row.
	f.d.Send(CommandMsg{Grant: 90 * time.Second})
	f.flashed("granted lease")
	f.shows("3 leases")
}

func (f *fixture) count(prefix string) int64 {
	f.t.Helper()
	resp, err := f.etcd.Get(context.Background(), prefix, clientv3.WithPrefix(), clientv3.WithCountOnly())
	if err != nil {
		f.t.Fatal(err)
	}
	return resp.Count
}

// TestLeasesReadOnlyRefusesAudited: in a read-only session `:lease revoke` and `:lease grant`
// are refused before anything is sent, the flash says why, each refusal is in the audit log,
// the lease and its keys stay, and d is not offered.
func TestLeasesReadOnlyRefusesAudited(t *testing.T) {
	f := newFixture(t, true)
	f.shows("3 leases")
	f.d.Send(CommandMsg{Revoke: f.ids[2]})
	f.flashed("read-only")
	f.d.Send(CommandMsg{Grant: time.Minute})
	f.until("two refusals", func() bool { return len(f.flash) >= 2 })
	if f.m.confirm.Active() {
		t.Error("a read-only session asked the revoke question")
	}
	if n := f.count("/leased/2/"); n != 3 {
		t.Errorf("keys of the lease: %d, want 3", n)
	}
	got := f.auditLines()
	if len(got) != 2 || got[0][0] != "lease-revoke" || got[0][1] != "lease "+cluster.FormatLeaseID(f.ids[2]) ||
		got[0][2] != "refused: read-only" || got[1][0] != "lease-grant" || got[1][2] != "refused: read-only" {
		t.Errorf("audit %q, want the revoke and the grant refused", got)
	}
	for _, b := range f.m.ShortHelp() {
		if b.Enabled() && b.Help().Desc == "revoke lease" {
			t.Error("d (revoke) offered in a read-only session")
		}
	}
	f.shows("3 leases") // nothing granted either
}

// secs reads a duration as formatTTL writes it ("9m58s", "10m").
func secs(t *testing.T, s string) time.Duration {
	t.Helper()
	d, err := time.ParseDuration(strings.Replace(s, "d", "h", 1)) // no "d" below a day
	if err != nil {
		t.Fatalf("remaining %q: %v", s, err)
	}
	return d
}
