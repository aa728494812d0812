package cluster_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

func readAudit(t *testing.T, path string) []cluster.AuditEntry {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []cluster.AuditEntry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e cluster.AuditEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		out = append(out, e)
	}
	return out
}

// TestReadOnlyRefusesEveryWrite calls every write the API offers on a read-only client with a
// context that is already cancelled: any RPC would fail with "cancelled", so ErrReadOnly proves
// the refusal came first. Each refusal is audited.
func TestReadOnlyRefusesEveryWrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", cluster.AuditFile)
	audit, err := cluster.OpenAudit(path)
	if err != nil {
		t.Fatal(err)
	}
	defer audit.Close()
	c, eps := writeClient(t, cluster.WithReadOnly(true), cluster.WithAudit(audit))
	if !c.ReadOnly() {
		t.Fatal("ReadOnly() = false")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	writes := map[string]func() error{
		"put": func() error { _, err := c.Put(ctx, "/k", []byte("v"), cluster.PutOptions{}); return err },
		"create": func() error {
			_, err := c.Put(ctx, "/k", []byte("v"), cluster.PutOptions{CreateOnly: true})
			return err
		},
		"delete":        func() error { _, err := c.Delete(ctx, "/k", 7); return err },
		"delete-prefix": func() error { _, _, err := c.DeletePrefix(ctx, "/k/"); return err },
		"lease-grant":   func() error { _, err := c.GrantLease(ctx, time.Minute); return err },
		"lease-revoke":  func() error { _, err := c.RevokeLease(ctx, 42); return err },
		"defragment":    func() error { return c.Defragment(ctx, eps[0]) },
		"compact":       func() error { _, err := c.Compact(ctx, 1, false); return err },
		"alarm-disarm":  func() error { _, err := c.AlarmDisarm(ctx); return err },
		"restore": func() error {
			_, err := c.Restore(ctx, "/backups/s.db", func(context.Context) (int64, error) {
				t.Error("the restore ran on a read-only session")
				return 0, nil
			})
			return err
		},
	}
	for name, w := range writes {
		if err := w(); !errors.Is(err, cluster.ErrReadOnly) {
			t.Errorf("%s: err = %v, want ErrReadOnly", name, err)
		}
	}
	lines := readAudit(t, path)
	if len(lines) != len(writes) {
		t.Fatalf("%d audit lines for %d refused writes", len(lines), len(writes))
	}
	for _, l := range lines {
		if l.Result != "refused: read-only" || writes[l.Action] == nil {
			t.Errorf("audit line %+v, want a known action refused: read-only", l)
		}
	}
	// Reads still work.
	if _, err := c.CountPrefix(context.Background(), "", 0); err != nil {
		t.Fatalf("read on a read-only client: %v", err)
	}
}

// TestAuditLogLines writes with a distinctive value through an authenticated user with a
// distinctive password, and checks what the lines hold and that neither secret is in the file.
func TestAuditLogLines(t *testing.T) {
	const password, value = "pw-Zebra-4721", "value-Quokka-9913"
	m := nodetest.Start(t)
	ctx := context.Background()
	e := nodetest.Client(t, m.Endpoints())
	if _, err := e.UserAdd(ctx, "root", password); err != nil {
		t.Fatal(err)
	}
	if _, err := e.UserGrantRole(ctx, "root", "root"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.AuthEnable(ctx); err != nil {
		t.Fatal(err)
	}

	dir := filepath.Join(t.TempDir(), "state")
	audit, err := cluster.OpenAudit(cluster.AuditPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer audit.Close()
	c := optClient(t, cluster.ConnConfig{Endpoints: m.Endpoints(), InsecureTransport: true, User: "root", Password: password},
		cluster.WithAudit(audit))
	rev, err := c.Put(ctx, "/audit/k\x01", []byte(value), cluster.PutOptions{CreateOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	rev2, _ := c.Put(ctx, "/audit/k\x01", []byte(value+"2"), cluster.PutOptions{ModRev: rev})
	c.Put(ctx, "/audit/k\x01", []byte(value+"3"), cluster.PutOptions{ModRev: rev}) // conflict
	c.Delete(ctx, "/audit/k\x01", rev2)
	id, _ := c.GrantLease(ctx, time.Minute)
	c.RevokeLease(ctx, id)
	c.DeletePrefix(ctx, "/audit/")

	data, err := os.ReadFile(cluster.AuditPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{password, value, "Zebra", "Quokka"} {
		if bytes.Contains(data, []byte(secret)) {
			t.Fatalf("the audit log holds %q:\n%s", secret, data)
		}
	}
	if st, _ := os.Stat(cluster.AuditPath(dir)); st.Mode().Perm() != 0o600 {
		t.Errorf("audit log mode %v, want 0600", st.Mode().Perm())
	}
	if st, _ := os.Stat(dir); st.Mode().Perm() != 0o700 {
		t.Errorf("state dir mode %v, want 0700", st.Mode().Perm())
	}
	lines := readAudit(t, cluster.AuditPath(dir))
	var got []string
	for _, l := range lines {
		got = append(got, fmt.Sprintf("%s %s %s old=%d new>0=%v %s", l.Action, l.User, l.Key, l.OldRev, l.NewRev > 0, l.Result))
		if _, err := time.Parse(time.RFC3339, l.Time); err != nil || !strings.HasSuffix(l.Time, "Z") {
			t.Errorf("time %q is not RFC 3339 UTC", l.Time)
		}
		if len(l.Endpoints) != 1 || l.Endpoints[0] != m.Endpoints()[0] {
			t.Errorf("endpoints %v", l.Endpoints)
		}
	}
	want := []string{
		`create root /audit/k\x01 old=0 new>0=true ok`,
		fmt.Sprintf(`put root /audit/k\x01 old=%d new>0=true ok`, rev),
		fmt.Sprintf(`put root /audit/k\x01 old=%d new>0=false conflict`, rev),
		fmt.Sprintf(`delete root /audit/k\x01 old=%d new>0=true ok`, rev2),
		`lease-grant root  old=0 new>0=true ok`,
		`lease-revoke root  old=0 new>0=true ok`,
		`delete-prefix root /audit/ old=0 new>0=true ok`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("audit lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if lines[4].Target == "" || lines[4].Target[:6] != "lease " {
		t.Errorf("lease-grant target %q, want the lease id", lines[4].Target)
	}
}

func TestAuditLogConcurrentAndNil(t *testing.T) {
	var nilLog *cluster.AuditLog
	if err := nilLog.Record(cluster.AuditEntry{Action: "put"}); err != nil || nilLog.Close() != nil {
		t.Fatal("a nil audit log is not a no-op")
	}
	path := filepath.Join(t.TempDir(), cluster.AuditFile)
	os.WriteFile(path, nil, 0o644) // an older, wider file is narrowed
	a, err := cluster.OpenAudit(path)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				a.Record(cluster.AuditEntry{Action: "put", Key: strings.Repeat("k", 100*g+i), Result: "ok"})
			}
		}()
	}
	wg.Wait()
	a.Close()
	if n := len(readAudit(t, path)); n != 400 {
		t.Fatalf("%d whole lines, want 400", n)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	if err := a.Record(cluster.AuditEntry{}); err == nil {
		t.Error("record after Close succeeded")
	}
}
