package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// TestUsageCommand runs `etcdeck usage` on a snapshot saved by `etcdeck snapshot save` and on
// the live member: the overwritten prefix first in the table with its share bar, JSON with the
// same rows, the live children; exit 1 for a file that is no snapshot or a truncated one.
func TestUsageCommand(t *testing.T) {
	m := nodetest.Start(t)
	cli := nodetest.Client(t, m.Endpoints())
	for i := 0; i < 200; i++ {
		if _, err := cli.Put(context.Background(), "/hot/k", fmt.Sprintf("%080d", i)); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 20; i++ {
		if _, err := cli.Put(context.Background(), fmt.Sprintf("/cold/%02d", i), strings.Repeat("c", 200)); err != nil {
			t.Fatal(err)
		}
	}
	ep := "--endpoints=" + m.Endpoints()[0]
	file := filepath.Join(t.TempDir(), "s.db")
	if code, _, errText := etcdeck(t, "snapshot", "save", ep, "--output", file); code != 0 {
		t.Fatalf("save: exit %d: %s", code, errText)
	}

	code, out, errText := etcdeck(t, "usage", file)
	lines := strings.Split(out, "\n")
	if code != 0 || errText != "" || len(lines) < 4 || !strings.HasPrefix(lines[1], "/hot/ ") || !strings.Contains(lines[1], "#") {
		t.Fatalf("table: exit %d, stderr %q:\n%s", code, errText, out)
	}
	if !strings.Contains(out, "revisions 2 to 221") {
		t.Errorf("no revision range in:\n%s", out)
	}

	code, out, _ = etcdeck(t, "usage", file, "--prefix", "/cold/", "-w", "json")
	var u struct {
		Rows []struct {
			Prefix    string
			Revisions int64
		}
	}
	if err := json.Unmarshal([]byte(out), &u); code != 0 || err != nil || len(u.Rows) != 20 || u.Rows[0].Revisions != 1 {
		t.Fatalf("json under /cold/: exit %d, %v:\n%s", code, err, out)
	}

	code, out, errText = etcdeck(t, "usage", ep)
	if code != 0 || !strings.HasPrefix(out, "CHILD") || !strings.Contains(out, "/cold/ ") || !strings.Contains(out, ": 21 keys") {
		t.Fatalf("live: exit %d, stderr %q:\n%s", code, errText, out)
	}

	data, _ := os.ReadFile(file)
	bad := filepath.Join(t.TempDir(), "bad.db")
	os.WriteFile(bad, data[:len(data)/3], 0o600)
	code, out, errText = etcdeck(t, "usage", bad)
	if code != 1 || out != "" || !strings.Contains(errText, "etcdeck usage: ") || !strings.Contains(errText, "corrupt") {
		t.Errorf("truncated: exit %d, stdout %q, stderr %q", code, out, errText)
	}
	code, _, errText = etcdeck(t, "usage", "main.go")
	if code != 1 || !strings.Contains(errText, "no bbolt header") {
		t.Errorf("a Go file: exit %d, stderr %q", code, errText)
	}
	code, _, errText = etcdeck(t, "usage", "--endpoints=127.0.0.1:1", "--dial-timeout=300ms")
	if code != 1 || errText == "" {
		t.Errorf("no cluster: exit %d, stderr %q", code, errText)
	}
}

func TestUsageCommandUsage(t *testing.T) {
	for _, args := range [][]string{{"usage"}, {"usage", "a.db", "b.db"}, {"usage", "a.db", "--endpoints=x:1"},
		{"usage", "a.db", "-w", "xml"}, {"usage", "a.db", "--depth=0"}, {"usage", "a.db", "--prefix", `\x`}} {
		code, out, errText := etcdeck(t, args...)
		if code != 2 || out != "" || !strings.HasPrefix(errText, "etcdeck usage: ") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and a usage error", args, code, out, errText)
		}
	}
}
