package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// TestAccessView: root, on a cluster with authentication on, opens view 5: the users with their
// password state and roles, the roles with their permissions; adds a user with `a` (the password
// typed twice, never on screen), then deletes it with `:user delete` (asked first). The audit
// log names the user and holds no password.
func TestAccessView(t *testing.T) {
	bin := buildEtcdeck(t)
	m := nodetest.Start(t)
	nodetest.AuthUsers(t, m.Endpoints())
	home := t.TempDir()
	pwFile := filepath.Join(home, "root.pw")
	writeFile(t, pwFile, nodetest.RootPassword+"\n")
	writeFile(t, filepath.Join(home, "config", "etcdeck", "config.yaml"),
		"contexts:\n  prod:\n    endpoints: ["+m.Endpoints()[0]+"]\n    user: root\n    password-file: "+pwFile+"\n")

	s := Start(t, 100, 30, isolatedEnv(home), home, bin, "--context", "prod")
	s.WaitFor("prod "+m.Endpoints()[0], startupTimeout)
	s.SendKeys("5")
	s.WaitFor("authentication on", 10*time.Second)
	screen := s.WaitFor("readwrite  /app/w/", 10*time.Second)
	for _, want := range []string{"5 Access", "reader                   yes       app-reader", "read       /app/"} {
		if !strings.Contains(screen, want) {
			t.Fatalf("view 5 lacks %q:\n%s", want, screen)
		}
	}

	const pw = "e2eSecret42"
	s.SendKeys("a")
	s.WaitFor("new user:", 5*time.Second)
	s.Type("alice")
	s.SendKeys("Enter")
	s.WaitFor("password for alice:", 5*time.Second)
	s.Type(pw)
	s.SendKeys("Enter")
	s.WaitFor("the password again:", 5*time.Second)
	s.Type(pw)
	if strings.Contains(s.Screen(), pw) {
		t.Fatalf("the password is on screen:\n%s", s.Screen())
	}
	s.SendKeys("Enter")
	s.WaitFor("added user alice", 10*time.Second)
	s.WaitFor("alice                    yes", 10*time.Second)

	s.SendKeys(":")
	s.Type("user delete alice")
	s.SendKeys("Enter")
	s.WaitFor("Delete user alice?", 10*time.Second)
	s.SendKeys("y")
	s.WaitFor("deleted user alice", 10*time.Second)
	s.SendKeys("q")
	s.WaitFor("[exited 0]", 10*time.Second)

	log, err := os.ReadFile(filepath.Join(home, "state", "etcdeck", "audit.log"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(log), pw) || !strings.Contains(string(log), `"action":"user-add","target":"user alice"`) ||
		!strings.Contains(string(log), `"action":"user-delete","target":"user alice"`) {
		t.Fatalf("audit log:\n%s", log)
	}
}
