package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/config"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// TestConnectReadOnlyAudited checks that the one connect gives every command a session whose
// writes go through cluster's gate: refused in read-only mode, and recorded in the audit log of
// the settings' state dir either way.
func TestConnectReadOnlyAudited(t *testing.T) {
	m := nodetest.Start(t)
	for _, readOnly := range []bool{true, false} {
		s := config.Defaults()
		s.Conn.Endpoints = m.ClientURLs
		s.Conn.InsecureTransport = true
		s.StateDir = t.TempDir()
		s.ReadOnly = readOnly
		sess, end, err := connect(context.Background(), s, false, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = sess.Client.Put(sess.Context(), "/audited", []byte("secret-value"), cluster.PutOptions{})
		end()
		if readOnly != errors.Is(err, cluster.ErrReadOnly) || (!readOnly && err != nil) {
			t.Fatalf("read-only=%v: put returned %v", readOnly, err)
		}
		data, rerr := os.ReadFile(filepath.Join(s.StateDir, cluster.AuditFile))
		if rerr != nil {
			t.Fatal(rerr)
		}
		line := string(data)
		want := `"result":"ok"`
		if readOnly {
			want = `"result":"refused: read-only"`
		}
		if !strings.Contains(line, `"/audited"`) || !strings.Contains(line, want) || strings.Contains(line, "secret-value") {
			t.Fatalf("read-only=%v: audit log %q: want the key and %s, never the value", readOnly, line, want)
		}
	}
}
