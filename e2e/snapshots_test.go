package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var savedRE = regexp.MustCompile(`✓ snapshot: saved (\S+etcd-snapshot-[0-9a-f]{16}-\d{8}T\d{6}Z-rev\d+\.db)`)

// TestSnapshotSave: `s` in the Keys view saves a snapshot of the embedded member; the status bar
// says ✓ with the path, the file is in the backup directory (0600) and view 4 lists it with a
// checked sha256.
func TestSnapshotSave(t *testing.T) {
	t.Parallel()
	bin := buildEtcdeck(t)
	c := startConsole(t, bin, 250, 30) // wide enough for the whole path in the status bar
	c.WaitFor("embedded "+c.endpoint, startupTimeout)
	c.WaitFor("[1 Keys]", 5*time.Second)

	c.SendKeys("s")
	screen, err := c.Poll(savedRE.MatchString, 30*time.Second)
	if err != nil {
		t.Fatalf("no ✓ with the saved path:\n%s", screen)
	}
	path := savedRE.FindStringSubmatch(screen)[1]
	dir := filepath.Join(c.home, "data", "etcdeck", "backups")
	if filepath.Dir(path) != dir {
		t.Errorf("saved %s, want it in %s", path, dir)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("saved file: %v %v", st, err)
	}

	c.SendKeys("4")
	c.WaitFor("[4 Snapshots]", 5*time.Second)
	screen = c.WaitFor("✓ sha256 ok", 30*time.Second)
	if !strings.Contains(screen, "1 file") {
		t.Errorf("view 4 does not list the file:\n%s", screen)
	}
	c.SendKeys("Enter")
	c.WaitFor("storage", 10*time.Second)
	c.SendKeys("Escape") // alone: ESC then q at once would read as alt+q
	c.WaitGone("storage", 5*time.Second)
	c.SendKeys("q")
	c.WaitFor("[exited 0]", 30*time.Second)
}
