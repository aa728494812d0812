package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// TestInspectorEditorAndBigValue drives the inspector in a real terminal: a JSON value opens
// pretty-printed, `e` hands the terminal to $EDITOR (a script that rewrites the file) and the
// edit is written compare-and-swap and shown; a 1.5 MiB value opens and pages to its end.
func TestInspectorEditorAndBigValue(t *testing.T) {
	t.Parallel()
	bin := buildEtcdeck(t)
	m := nodetest.Start(t)
	cli := nodetest.Client(t, m.Endpoints())
	ctx := context.Background()
	if _, err := cli.Put(ctx, "/app/config", `{"name":"shop","replicas":3}`); err != nil {
		t.Fatal(err)
	}
	var big strings.Builder
	big.WriteString(`{"items":[`)
	for i := 0; big.Len() < 1536*1024-2048; i++ {
		if i > 0 {
			big.WriteByte(',')
		}
		big.WriteString(`{"n":` + strings.Repeat("1", 1+i%9) + `}`)
	}
	big.WriteString(`],"last":"the end"}`)
	if _, err := cli.Put(ctx, "/app/zbig", big.String()); err != nil {
		t.Fatal(err)
	}

	home := t.TempDir()
	editor := filepath.Join(home, "editor.sh")
	// The script stands in for a person: it rewrites the value and records that it ran on a
	// real terminal (the console handed it over).
	script := "#!/bin/sh\n[ -t 0 ] && echo tty > \"$HOME/editor-ran\"\nprintf '{\"name\":\"shop\",\"replicas\":5}' > \"$1\"\n"
	if err := os.WriteFile(editor, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	env := append(isolatedEnv(home), "EDITOR="+editor)
	s := Start(t, 120, 40, env, home, bin, "--endpoints", m.Endpoints()[0])
	s.WaitFor("app/", startupTimeout)
	s.SendKeys(":")
	s.Type("goto /app/config")
	s.SendKeys("Enter")
	s.WaitFor("Keys  /app/ ", 10*time.Second)
	s.SendKeys("Enter")
	s.WaitFor(`"replicas": 3`, 10*time.Second)
	s.SendKeys("e")
	s.WaitFor("saved /app/config", 10*time.Second)
	s.WaitFor(`"replicas": 5`, 10*time.Second)
	resp, err := cli.Get(ctx, "/app/config")
	if err != nil || len(resp.Kvs) != 1 || string(resp.Kvs[0].Value) != `{"name":"shop","replicas":5}` {
		t.Fatalf("after the edit: %v %v", resp, err)
	}
	if b, err := os.ReadFile(filepath.Join(home, "editor-ran")); err != nil || string(b) != "tty\n" {
		t.Errorf("$EDITOR did not get the terminal: %q %v", b, err)
	}
	s.WaitFor("Keys  /app/ ", 5*time.Second) // the console is back on screen after the editor

	// :rev N shows the tree and the value as they were before the edit, not live; :rev returns.
	before := resp.Kvs[0].ModRevision - 1
	s.SendKeys("Escape")                             // alone: ESC followed at once by another key would read as alt+key
	s.WaitFor("Preview  /app/config", 5*time.Second) // the list has the focus; the value stays as its preview
	s.SendKeys("Escape")                             // esc on the list closes the preview
	s.WaitGone("Preview  /app/config", 5*time.Second)
	s.SendKeys(":")
	s.Type(fmt.Sprintf("rev %d", before))
	s.SendKeys("Enter")
	s.WaitFor(fmt.Sprintf("at rev %d · not live", before), 10*time.Second)
	s.SendKeys("Enter")
	s.WaitFor(`"replicas": 3`, 10*time.Second)
	s.SendKeys("e")
	s.WaitFor("edits are disabled", 5*time.Second)
	s.SendKeys("Escape")
	s.WaitFor("Preview  /app/config", 5*time.Second)
	s.SendKeys("Escape")
	s.WaitGone("Preview  /app/config", 5*time.Second)
	s.SendKeys(":")
	s.Type("rev")
	s.SendKeys("Enter")
	s.WaitFor("· live", 10*time.Second)
	s.WaitFor("2 rows", 10*time.Second)

	// The 1.5 MiB value: its first screen, then its end.
	s.SendKeys("j", "Enter") // :rev closed the inspector
	start := time.Now()
	s.WaitFor(`"items": [`, 10*time.Second)
	t.Logf("1.5 MiB value: first screen %v after enter (fetch, decode, draw)", time.Since(start))
	console := childPID(t, s.PanePID(), bin)
	// Page through it in every rendering (json, yaml, text, hex), as someone reading it would.
	for i := 0; i < 60; i++ {
		s.SendKeys("PageDown")
	}
	s.SendKeys("G")
	s.WaitFor(`"last": "the end"`, 10*time.Second)
	for _, r := range []struct{ name, end string }{
		{"yaml", "last: the end"}, {"text", `"last":"the end"`}, {"hex", `the end"}|`},
	} {
		s.SendKeys("v")
		s.WaitFor(r.name+" · ", 10*time.Second) // rendered off the UI loop: wait before moving
		s.SendKeys("G")
		s.WaitFor(r.end, 10*time.Second)
	}
	for i := 0; i < 60; i++ {
		s.SendKeys("PageUp")
	}
	rss, peak := vmKB(t, console, "VmRSS"), vmKB(t, console, "VmHWM")
	t.Logf("console paging a 1.5 MiB value: RSS %d MB, peak %d MB", rss/1024, peak/1024)
	if peak > 100*1024 {
		t.Errorf("console peak RSS %d MB while paging a 1.5 MiB value, want at most 100 MB", peak/1024)
	}
	s.SendKeys("q")
	s.WaitFor("[exited 0]", 30*time.Second)
}

// vmKB reads a Vm* line (kB) of /proc/pid/status.
func vmKB(t *testing.T, pid int, field string) int64 {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(l, field+":"); ok {
			var kb int64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), &kb)
			return kb
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}
