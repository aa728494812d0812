package cluster_test

import (
	"context"
	"testing"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// TestAuthInfoPasswords: with authentication on, root's listing says which users have a
// password (root, reader, writer) and which were added without one (a certificate-only user);
// with authentication off it says it cannot know ("?"), rather than guessing.
func TestAuthInfoPasswords(t *testing.T) {
	m := nodetest.Start(t)
	ctx := context.Background()
	e := nodetest.Client(t, m.Endpoints())
	if _, err := e.UserAddWithOptions(ctx, "certonly", "", &clientv3.UserAddOptions{NoPassword: true}); err != nil {
		t.Fatal(err)
	}
	off := optClient(t, cluster.ConnConfig{Endpoints: m.Endpoints(), InsecureTransport: true})
	info, err := off.AuthInfo(ctx)
	if err != nil || info.Enabled || len(info.Users) != 1 || info.Users[0].Password != cluster.PasswordUnknown {
		t.Fatalf("auth off: AuthInfo = %+v, %v; want certonly with password unknown", info, err)
	}
	nodetest.AuthUsers(t, m.Endpoints())
	root := optClient(t, cluster.ConnConfig{Endpoints: m.Endpoints(), InsecureTransport: true, User: "root", Password: nodetest.RootPassword})
	info, err = root.AuthInfo(ctx)
	if err != nil || !info.Enabled {
		t.Fatalf("AuthInfo = %+v, %v", info, err)
	}
	got := map[string]string{}
	for _, u := range info.Users {
		got[u.Name] = u.Password.String()
	}
	want := map[string]string{"certonly": "no", "reader": "yes", "root": "yes", "writer": "yes"}
	if len(got) != len(want) {
		t.Fatalf("users = %v, want %v", got, want)
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("user %s has password %q, want %q", name, got[name], w)
		}
	}
	if err := info.CanEnable(); err != nil {
		t.Errorf("CanEnable with root = %v", err)
	}
}

// TestParsePerm reads permissions as the Access view and :role grant take them.
func TestParsePerm(t *testing.T) {
	for _, tt := range []struct {
		in, want, err string
		key, end      string
	}{
		{in: "read /app/", want: "/app/ (read)", key: "/app/", end: "/app0"},
		{in: "readwrite /app*", want: "/app* (readwrite)", key: "/app", end: "/apq"},
		{in: "write /app/config", want: "/app/config (write)", key: "/app/config"},
		{in: "read /a /c", want: "[/a, /c) (read)", key: "/a", end: "/c"},
		{in: "read /a /b", want: "/a* (read)", key: "/a", end: "/b"}, // the range of prefix /a
		{in: "read *", want: "every key (read)", key: "", end: "\x00"},
		{in: `read /a\x20b/`, want: `/a b/ (read)`, key: "/a b/", end: "/a b0"},
		{in: "read /b /a", err: "the range [/b, /a) holds no key: its end must come after its start"},
		{in: "admin /app/", err: `permission type "admin": read, write or readwrite`},
		{in: "read", err: "a permission is a type and a key (read /app/), or a type and a range (read /a /b)"},
		{in: `read /a\x2`, err: `key /a\x2: "/a\\x2": \x needs two hex digits`},
	} {
		p, err := cluster.ParsePerm(tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("ParsePerm(%q) = %v, %v; want error %q", tt.in, p, err, tt.err)
			}
			continue
		}
		if err != nil || p.String() != tt.want || p.Key != tt.key || p.RangeEnd != tt.end {
			t.Errorf("ParsePerm(%q) = %+v (%s), %v; want %s [%q, %q)", tt.in, p, p.String(), err, tt.want, tt.key, tt.end)
		}
	}
}
