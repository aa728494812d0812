package e2e

import (
	"context"
	"fmt"
	"math/rand"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// TestKeysPagesEtcd34 scrolls a directory of 6,000 leaves on Debian's etcd 3.4 (no RangeStream:
// the windows, where every probe counts its whole window) to its end with G: every page comes,
// the row count is the directory's, the last name is on screen, and a later page (2,000 rows)
// reads about what it shows, not the rest of the directory.
func TestKeysPagesEtcd34(t *testing.T) {
	t.Parallel()
	ep := nodetest.StartEtcd34(t)
	bin := buildEtcdeck(t)
	cli := nodetest.Client(t, []string{ep})
	rng := rand.New(rand.NewSource(9))
	const letters = "bcdfghjklmnpqrstvwxz2456789"
	seen := map[string]bool{}
	var names []string
	for len(names) < 6000 {
		name := []string{"api", "db", "web"}[rng.Intn(3)] + "-"
		for range 8 {
			name += string(letters[rng.Intn(len(letters))])
		}
		if !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
	}
	ctx := context.Background()
	for start := 0; start < len(names); start += 100 {
		var ops []clientv3.Op
		for _, n := range names[start:min(start+100, len(names))] {
			ops = append(ops, clientv3.OpPut("/big/"+n, "v"))
		}
		if _, err := cli.Txn(ctx).Then(ops...).Commit(); err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(names)
	home := t.TempDir()
	s := Start(t, 110, 30, isolatedEnv(home), home, bin, "--endpoints", ep, "--prefix", "/big/")
	s.WaitFor("Keys  /big/ ", startupTimeout)
	s.WaitFor("more not loaded yet", step)
	s.SendKeys("G") // the next pages (2,000 rows each) as the cursor nears the loaded end
	screen, err := s.Poll(func(sc string) bool {
		return rowCount.MatchString(sc) && !strings.Contains(sc, "(loading)")
	}, step)
	if err != nil {
		t.Fatalf("waiting for a later page: %v; screen:\n%s", err, screen)
	}
	m := pageRead.FindStringSubmatch(screen)
	if m == nil {
		t.Fatalf("no listing cost on the status line:\n%s", screen)
	}
	var trips, read int
	fmt.Sscan(m[1], &trips)
	fmt.Sscan(m[2], &read)
	t.Logf("a later page: %d round trips, %d keys read", trips, read)
	if read > 2500 {
		t.Errorf("a later page read %d keys for 2,000 rows of a 6,000-leaf directory: want about its rows", read)
	}
	screen, err = s.Poll(func(sc string) bool {
		if strings.Contains(sc, "6,000 rows") && !strings.Contains(sc, "more not loaded") {
			return true
		}
		s.SendKeys("G")
		time.Sleep(100 * time.Millisecond)
		return false
	}, step)
	if err != nil {
		t.Fatalf("scrolling to the end: %v; screen:\n%s", err, screen)
	}
	s.SendKeys("G") // the last page came after the last G
	s.WaitFor(names[len(names)-1], step)
	s.SendKeys("q")
	s.WaitFor("[exited 0]", step)
}

// pageRead is the status line's cost of the last page listed; rowCount a row count past the
// first page, with more to come.
var (
	pageRead = regexp.MustCompile(`listed in (\d+) round trips, (\d+) keys read`)
	rowCount = regexp.MustCompile(` \d,\d{3} rows, more not loaded yet`)
)
