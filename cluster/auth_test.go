package cluster_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// authClient connects as user to a member with nodetest.AuthUsers' users, auditing to a file it
// returns.
func authClient(t *testing.T, endpoints []string, user, password string) (*cluster.Client, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "audit.log")
	audit, err := cluster.OpenAudit(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { audit.Close() })
	c := optClient(t, cluster.ConnConfig{Endpoints: endpoints, InsecureTransport: true, User: user, Password: password},
		cluster.WithAudit(audit))
	return c, path
}

// TestAccessReader: the reader's roles are read at connect; history and a revision check work
// inside /app/ (they probed "\x00", which the reader cannot read: "permission denied"); the
// root's refusal names the role and what it allows; a write is refused before it is sent, with
// the role named, and audited.
func TestAccessReader(t *testing.T) {
	m := nodetest.Start(t)
	root := nodetest.AuthUsers(t, m.Endpoints())
	ctx := context.Background()
	if _, err := root.Put(ctx, "/app/a", "1b"); err != nil { // a second version of /app/a
		t.Fatal(err)
	}
	c, auditPath := authClient(t, m.Endpoints(), "reader", nodetest.ReaderPassword)

	a := c.Access()
	if a == nil || a.Root || len(a.Roles) != 1 || a.Roles[0] != "app-reader" || len(a.Perms) != 1 ||
		a.Perms[0].String() != "/app/ (read)" {
		t.Fatalf("Access = %+v", a)
	}
	h, err := c.History(ctx, "/app/a", 0)
	if err != nil || len(h.Revs) != 2 {
		t.Fatalf("History(/app/a) = %+v, %v; want 2 versions", h, err)
	}
	if _, err := c.CompactedAt(ctx); err != nil {
		t.Fatalf("CompactedAt: %v", err)
	}
	if err := c.CheckRev(ctx, h.Revs[1].Rev); err != nil {
		t.Fatalf("CheckRev(%d): %v", h.Revs[1].Rev, err)
	}

	_, err = c.ListDir(ctx, "/", cluster.ListOptions{})
	want := "permission denied: reading /: your roles (app-reader) allow /app/ (read)"
	if err == nil || err.Error() != want || !cluster.IsPermissionDenied(err) {
		t.Fatalf("ListDir(/) = %v; want %q", err, want)
	}
	if l, err := c.ListDir(ctx, "/app/", cluster.ListOptions{}); err != nil || len(l.Rows) != 2 {
		t.Fatalf("ListDir(/app/) = %+v, %v", l.Rows, err)
	}
	below := c.Access().Beneath("/", '/')
	if len(below) != 1 || below[0] != (cluster.Permitted{Name: "app", Dir: true, Type: "read"}) {
		t.Fatalf("Beneath(/) = %+v", below)
	}

	_, err = c.Put(ctx, "/app/a", []byte("x"), cluster.PutOptions{})
	var pe *cluster.PermissionError
	if !errors.As(err, &pe) || !errors.Is(err, rpctypes.ErrPermissionDenied) ||
		err.Error() != "permission denied: writing /app/a: your roles (app-reader) allow /app/ (read)" {
		t.Fatalf("Put = %v; want a refusal naming app-reader", err)
	}
	if !c.Refuses("put", "/app/a") || c.CheckWrite("put", "/app/b", "") == nil {
		t.Fatal("the gate does not refuse a put the roles do not allow")
	}
	if kv, err := root.Get(ctx, "/app/a"); err != nil || string(kv.Kvs[0].Value) != "1b" {
		t.Fatalf("/app/a changed: %v %v", kv, err)
	}
	log, _ := os.ReadFile(auditPath)
	if strings.Count(string(log), `"user":"reader"`) != 2 || !strings.Contains(string(log), `"result":"refused: permission denied: writing /app/a: your roles (app-reader)`) {
		t.Fatalf("audit log:\n%s", log)
	}
}

// TestAccessWriter: the writer writes inside /app/w/ and is refused outside it before the
// request is sent (so the server's bare "permission denied" never shows); a delete-prefix is
// refused unless its whole range is writable; a new key under / is allowed to start (a name
// under /app/w/ would do) but one under /other/ is not.
func TestAccessWriter(t *testing.T) {
	m := nodetest.Start(t)
	root := nodetest.AuthUsers(t, m.Endpoints())
	ctx := context.Background()
	c, _ := authClient(t, m.Endpoints(), "writer", nodetest.WriterPassword)
	if _, err := c.Put(ctx, "/app/w/y", []byte("new"), cluster.PutOptions{CreateOnly: true}); err != nil {
		t.Fatalf("put inside /app/w/: %v", err)
	}
	for _, tc := range []struct {
		what string
		err  func() error
	}{
		{"put /app/a", func() error { _, err := c.Put(ctx, "/app/a", []byte("x"), cluster.PutOptions{}); return err }},
		{"delete /other/secret", func() error { _, err := c.Delete(ctx, "/other/secret", 0); return err }},
		{"delete-prefix /app/", func() error { _, _, err := c.DeletePrefix(ctx, "/app/"); return err }},
	} {
		err := tc.err()
		var pe *cluster.PermissionError
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), "your roles (app-writer) allow /app/w/ (readwrite)") {
			t.Errorf("%s = %v; want refused naming app-writer", tc.what, err)
		}
	}
	if n, _, err := c.DeletePrefix(ctx, "/app/w/"); err != nil || n != 2 {
		t.Fatalf("delete-prefix /app/w/ = %d, %v", n, err)
	}
	if c.Refuses("create", "/") || !c.Refuses("create", "/other/") {
		t.Fatal("create under / should start (a name under /app/w/ is writable), under /other/ not")
	}
	if resp, err := root.Get(ctx, "/other/secret"); err != nil || len(resp.Kvs) != 1 {
		t.Fatalf("/other/secret: %v %v", resp, err)
	}
}

// TestAccessCovers: a write spanning two roles' ranges is allowed when their union holds it, as
// etcd merges them; a gap refuses.
func TestAccessCovers(t *testing.T) {
	a := &cluster.Access{User: "u", Roles: []string{"r1", "r2"}, Perms: []cluster.Perm{
		{Role: "r1", Type: cluster.PermWrite, Key: "/a/", RangeEnd: "/a/m"},
		{Role: "r2", Type: cluster.PermReadWrite, Key: "/a/m", RangeEnd: "/a0"},
		{Role: "r2", Type: cluster.PermRead, Key: "/b/", RangeEnd: "/b0"},
		{Role: "r2", Type: cluster.PermWrite, Key: "/k"},
	}}
	for _, tc := range []struct {
		from, end string
		ok        bool
	}{
		{"/a/", "/a0", true}, {"/a/x", "", true}, {"/b/x", "", false}, {"/k", "", true},
		{"/k2", "", false}, {"/a/", "/b0", false}, {"", "\x00", false},
	} {
		if err := a.CheckWrite(tc.from, tc.end); (err == nil) != tc.ok {
			t.Errorf("CheckWrite(%q, %q) = %v, want ok=%t", tc.from, tc.end, err, tc.ok)
		}
	}
	if (&cluster.Access{Root: true}).CheckWrite("", "\x00") != nil || (*cluster.Access)(nil).CheckWrite("/x", "") != nil {
		t.Fatal("root or unknown access refused a write")
	}
	if got := a.Beneath("/", '/'); len(got) != 2 || got[0].Name != "b" || got[1] != (cluster.Permitted{Name: "k", Type: cluster.PermWrite}) {
		t.Fatalf("Beneath = %+v (the /a/ ranges are not prefixes: left out)", got)
	}
}
