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

// TestFindView drives `:find` in a real terminal: a values search under a prefix shows view 7
// with the matches and the count (the keys outside the prefix not searched), n moves to the next
// match, enter opens it in the Keys view, and x exports the matches to a file in the working
// directory.
func TestFindView(t *testing.T) {
	bin := buildEtcdeck(t)
	m := nodetest.Start(t)
	cli := nodetest.Client(t, m.Endpoints())
	ctx := context.Background()
	for i := range 500 {
		img := "redis:7"
		if i%50 == 7 {
			img = "nginx:1.27"
		}
		key := fmt.Sprintf("/registry/pods/ns-%d/web-%03d", i%5, i)
		if _, err := cli.Put(ctx, key, "spec:\n  image: "+img+"\n"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := cli.Put(ctx, "/other/x", "image: nginx:1.27"); err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	s := Start(t, 120, 30, isolatedEnv(home), home, bin, "--endpoints", m.Endpoints()[0])
	s.WaitFor("registry/", startupTimeout)
	s.SendKeys(":")
	s.Type("find nginx --values in /registry/")
	s.SendKeys("Enter")
	s.WaitFor("[7 Find]", 5*time.Second)
	s.WaitFor("10 matches in 500 keys", 20*time.Second)
	screen := s.WaitFor("/registry/pods/ns-2/web-007", 5*time.Second)
	if strings.Contains(screen, "/other/x") {
		t.Errorf("a key outside the prefix matched:\n%s", screen)
	}
	s.SendKeys("n", "Enter")
	s.WaitFor("[1 Keys]", 5*time.Second)
	s.WaitFor("web-057", 10*time.Second)
	s.SendKeys("7", "x")
	s.WaitFor("10 matches exported to", 10*time.Second)
	files, _ := filepath.Glob(filepath.Join(home, "etcdeck-find-*.tsv"))
	if len(files) != 1 {
		t.Fatalf("export files %v, want one in the working directory", files)
	}
	if b, err := os.ReadFile(files[0]); err != nil || strings.Count(string(b), "\t  image: nginx:1.27\n") != 10 {
		t.Errorf("the export does not hold the 10 matching lines: %v\n%s", err, b)
	}
	s.SendKeys("q")
	s.WaitFor("[exited 0]", 30*time.Second)
}
