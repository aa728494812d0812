package cluster_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// TestAuthAdmin: users and roles managed through the write gate on a real member — enabling
// authentication without root is refused before it is sent; root is added, a role with a
// prefix permission, a user granted it; the listing shows them; enabling works; the reader is
// told only root can list users; root disables authentication. Every action is audited with the
// names and never the password; a read-only client refuses a change.
func TestAuthAdmin(t *testing.T) {
	m := nodetest.Start(t)
	ctx := context.Background()
	auditPath := filepath.Join(t.TempDir(), "audit.log")
	audit, err := cluster.OpenAudit(auditPath)
	if err != nil {
		t.Fatal(err)
	}
	defer audit.Close()
	c := optClient(t, cluster.ConnConfig{Endpoints: m.Endpoints(), InsecureTransport: true}, cluster.WithAudit(audit))

	if err := c.EnableAuth(ctx); !errors.Is(err, cluster.ErrNoRootUser) {
		t.Fatalf("EnableAuth without root = %v, want ErrNoRootUser", err)
	}
	const pw = "pw-never-logged"
	steps := []struct {
		what string
		do   func() error
	}{
		{"add root", func() error { return c.AddUser(ctx, "root", pw) }},
		{"grant root", func() error { return c.GrantRole(ctx, "root", "root") }},
		{"add role", func() error { return c.AddRole(ctx, "app-reader") }},
		{"grant perm", func() error {
			return c.GrantPermission(ctx, "app-reader", cluster.Perm{Type: cluster.PermRead, Key: "/app/", RangeEnd: "/app0"})
		}},
		{"add reader", func() error { return c.AddUser(ctx, "reader", pw) }},
		{"grant reader", func() error { return c.GrantRole(ctx, "reader", "app-reader") }},
		{"add tmp role", func() error { return c.AddRole(ctx, "tmp") }},
		{"delete tmp role", func() error { return c.DeleteRole(ctx, "tmp") }},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.what, err)
		}
	}
	info, err := c.AuthInfo(ctx)
	if err != nil || info.Enabled || len(info.Users) != 2 || len(info.Roles) != 1 {
		t.Fatalf("AuthInfo = %+v, %v", info, err)
	}
	if r := info.Roles[0]; r.Name != "app-reader" || len(r.Perms) != 1 || r.Perms[0].String() != "/app/ (read)" {
		t.Fatalf("role = %+v", r)
	}
	if u := info.Users[0]; u.Name != "reader" || len(u.Roles) != 1 || u.Roles[0] != "app-reader" {
		t.Fatalf("user = %+v", u)
	}
	if err := c.EnableAuth(ctx); err != nil {
		t.Fatalf("EnableAuth with root: %v", err)
	}

	reader := optClient(t, cluster.ConnConfig{Endpoints: m.Endpoints(), InsecureTransport: true, User: "reader", Password: pw})
	info, err = reader.AuthInfo(ctx)
	if !errors.Is(err, cluster.ErrNeedsRoot) || !info.Enabled || err.Error() != "only root can list users and roles (etcd's rule)" {
		t.Fatalf("reader's AuthInfo = %+v, %v", info, err)
	}
	ro := optClient(t, cluster.ConnConfig{Endpoints: m.Endpoints(), InsecureTransport: true, User: "root", Password: pw},
		cluster.WithReadOnly(true), cluster.WithAudit(audit))
	if err := ro.DeleteUser(ctx, "reader"); !errors.Is(err, cluster.ErrReadOnly) {
		t.Fatalf("read-only DeleteUser = %v", err)
	}
	root := optClient(t, cluster.ConnConfig{Endpoints: m.Endpoints(), InsecureTransport: true, User: "root", Password: pw}, cluster.WithAudit(audit))
	if err := root.RevokeRole(ctx, "reader", "app-reader"); err != nil {
		t.Fatal(err)
	}
	if err := root.DisableAuth(ctx); err != nil {
		t.Fatal(err)
	}

	log, _ := os.ReadFile(auditPath)
	text := string(log)
	if strings.Contains(text, pw) {
		t.Fatal("the audit log holds a password")
	}
	for _, want := range []string{
		`"action":"auth-enable","result":"enabling authentication needs a user root`,
		`"action":"user-add","target":"user reader"`,
		`"action":"permission-grant","target":"role app-reader /app/ (read)"`,
		`"action":"role-delete","target":"role tmp"`,
		`"action":"user-delete","target":"user reader","result":"refused: read-only"`,
		`"user":"root","endpoints"`,
		`"action":"auth-disable"`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("audit log lacks %s:\n%s", want, text)
		}
	}
}
