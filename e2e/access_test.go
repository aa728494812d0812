package e2e

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// TestReaderFirstScreen: a user whose one role reads /app/ starts on a first screen that lists
// /app/ with its access and says why / is not shown (it was a bare "permission denied"); the
// password comes from the context's password-file, and the header names the context.
func TestReaderFirstScreen(t *testing.T) {
	bin := buildEtcdeck(t)
	m := nodetest.Start(t)
	nodetest.AuthUsers(t, m.Endpoints())
	home := t.TempDir()
	pw := filepath.Join(home, "reader.pw")
	writeFile(t, pw, nodetest.ReaderPassword+"\n")
	writeFile(t, filepath.Join(home, "config", "etcdeck", "config.yaml"),
		"contexts:\n  app:\n    endpoints: ["+m.Endpoints()[0]+"]\n    user: reader\n    password-file: "+pw+"\n")

	s := Start(t, 100, 30, isolatedEnv(home), home, bin, "--context", "app")
	screen := s.WaitFor("allow /app/ (read)", startupTimeout)
	if !strings.Contains(screen, "app/") || !strings.Contains(screen, "YOUR ACCESS") || !strings.Contains(screen, "app "+m.Endpoints()[0]) ||
		strings.Contains(screen, nodetest.ReaderPassword) {
		t.Fatalf("reader's first screen:\n%s", screen)
	}
	s.SendKeys("Enter")
	s.WaitFor("/app/ ", 10*time.Second)
	s.WaitFor("w/", 10*time.Second)
	s.SendKeys("q")
	s.WaitFor("[exited 0]", 10*time.Second)
}

// TestCtxSwitch: started on the embedded member, :ctx lists the contexts, :ctx other switches to
// another cluster (its keys, its name in the header) and :ctx embedded back to the member, which
// kept running (its keys are there at once).
func TestCtxSwitch(t *testing.T) {
	bin := buildEtcdeck(t)
	other := nodetest.Start(t)
	if _, err := nodetest.Client(t, other.Endpoints()).Put(t.Context(), "/only-on-other", "1"); err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	writeFile(t, filepath.Join(home, "config", "etcdeck", "config.yaml"),
		"contexts:\n  other:\n    endpoints: ["+other.Endpoints()[0]+"]\n    read-only: true\n")
	port := nodetest.FreePort(t)
	s := Start(t, 100, 30, isolatedEnv(home), home, bin, "--data-dir", filepath.Join(home, "m.etcd"),
		"--listen-client-urls", "http://127.0.0.1:"+strconv.Itoa(port), "--listen-peer-urls", "http://127.0.0.1:"+strconv.Itoa(nodetest.FreePort(t)))
	s.WaitFor("leader default", startupTimeout)
	s.SendKeys(":")
	s.Type("ctx")
	s.SendKeys("Enter")
	s.WaitFor("Contexts", 10*time.Second)
	s.WaitFor("● embedded", 10*time.Second)
	s.SendKeys("Escape")
	s.WaitFor("KEYS / SIZE", 10*time.Second)
	s.SendKeys(":")
	s.Type("ctx other")
	s.SendKeys("Enter")
	screen := s.WaitFor("only-on-other", 15*time.Second)
	if !strings.Contains(screen, "other "+other.Endpoints()[0]) || !strings.Contains(screen, "READ-ONLY") {
		t.Fatalf("after :ctx other:\n%s", screen)
	}
	s.SendKeys(":")
	s.Type("ctx embedded")
	s.SendKeys("Enter")
	s.WaitFor("embedded 127.0.0.1:"+strconv.Itoa(port), 15*time.Second)
	s.WaitFor("leader default", 15*time.Second)
	s.SendKeys("q")
	s.WaitFor("[exited 0]", 30*time.Second)
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}
