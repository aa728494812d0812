package e2e

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// TestKeysSiblingNamesEtcd34 browses a Kubernetes-shaped keyspace on Debian's etcd 3.4 (no
// RangeStream: the windows): /registry/ , pods/ (40 namespaces "team-…" sharing their prefix),
// back, then events/, whose namespaces are pods/'s. events/ is listed from the names pods/ gave:
// every namespace with its count at once, in fewer round trips than pods/ took with none (the
// status line says what each listing cost).
func TestKeysSiblingNamesEtcd34(t *testing.T) {
	t.Parallel()
	ep := nodetest.StartEtcd34(t)
	bin := buildEtcdeck(t)
	cli := nodetest.Client(t, []string{ep})
	ctx := context.Background()
	for ns := 0; ns < 40; ns++ {
		var ops []clientv3.Op
		for i := 0; i < 10; i++ {
			ops = append(ops, clientv3.OpPut(fmt.Sprintf("/registry/pods/team-%c%c-%03d/pod-%d", 'a'+ns%5, 'a'+ns%7, ns, i), "p"))
			ops = append(ops, clientv3.OpPut(fmt.Sprintf("/registry/events/team-%c%c-%03d/ev-%d", 'a'+ns%5, 'a'+ns%7, ns, i), "e"))
		}
		if _, err := cli.Txn(ctx).Then(ops...).Commit(); err != nil {
			t.Fatal(err)
		}
	}
	home := t.TempDir()
	s := Start(t, 100, 30, isolatedEnv(home), home, bin, "--endpoints", ep)
	s.WaitFor("registry/", startupTimeout)
	s.SendKeys("Enter")
	s.WaitFor("Keys  /registry/ ", step)
	s.WaitFor("events/", step)
	s.SendKeys("j", "Enter") // events/, pods/: open pods
	s.WaitFor("Keys  /registry/pods/ ", step)
	s.WaitFor("40 rows", step)
	cold := roundTrips(t, s, listedIn)
	s.SendKeys("BSpace")
	s.WaitFor("Keys  /registry/ ", step)
	s.WaitFor("2 rows", step)
	s.SendKeys("k", "Enter")
	s.WaitFor("Keys  /registry/events/ ", step)
	s.WaitFor("40 rows", step)
	s.WaitFor("10 keys", step)
	warm := roundTrips(t, s, listedIn)
	t.Logf("pods/ listed in %d round trips with no names known, events/ in %d from pods/'s", cold, warm)
	if warm >= cold {
		t.Errorf("events/ took %d round trips with pods/'s names, pods/ %d without", warm, cold)
	}
	if screen := s.Screen(); strings.Contains(screen, " …") {
		t.Errorf("a count still unknown on screen:\n%s", screen)
	}
	s.SendKeys("q")
	s.WaitFor("[exited 0]", step)
}

// listedIn finds the status line's cost of the listing on screen.
var listedIn = regexp.MustCompile(`listed in (\d+) round trips`)

// roundTrips waits for re on the screen and returns its number.
func roundTrips(t *testing.T, s *Session, re *regexp.Regexp) int {
	t.Helper()
	screen, err := s.Poll(func(sc string) bool { return re.MatchString(sc) }, step)
	if err != nil {
		t.Fatalf("waiting for %v: %v; screen:\n%s", re, err, screen)
	}
	n, _ := strconv.Atoi(re.FindStringSubmatch(screen)[1])
	return n
}
