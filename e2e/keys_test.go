package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// step bounds each wait of an end-to-end test: generous, because each assertion holds as soon
// as the screen shows it and the machine may be busy building.
const step = 60 * time.Second

// TestKeysBrowse drives the Keys view against a member holding 3,000 keys: open directories,
// counts and sizes, a live change, the filter, goto from the command line, and going up.
func TestKeysBrowse(t *testing.T) {
	t.Parallel()
	bin := buildEtcdeck(t)
	m := nodetest.Start(t)
	cli, err := clientv3.New(clientv3.Config{Endpoints: m.Endpoints(), DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	ctx := context.Background()
	value := strings.Repeat("v", 1024)
	for _, res := range []string{"configmaps", "pods", "secrets"} {
		for ns := 0; ns < 10; ns++ {
			var ops []clientv3.Op
			for i := 0; i < 100; i++ {
				ops = append(ops, clientv3.OpPut(fmt.Sprintf("/registry/%s/ns-%d/obj-%03d", res, ns, i), value))
			}
			if _, err := cli.Txn(ctx).Then(ops...).Commit(); err != nil {
				t.Fatal(err)
			}
		}
	}
	home := t.TempDir()
	env := isolatedEnv(home)
	s := Start(t, 100, 30, env, home, bin, "--endpoints", m.Endpoints()[0])
	s.WaitFor("registry/", startupTimeout)
	s.WaitFor("3,000 keys", step)
	s.SendKeys("Enter")
	s.WaitFor("Keys  /registry/ ", step)
	s.WaitFor("1,000 keys", step)
	s.SendKeys("j", "Enter") // configmaps, pods, secrets: open pods
	s.WaitFor("Keys  /registry/pods/ ", step)
	s.WaitFor("100 keys", step)
	s.SendKeys("Enter")
	s.WaitFor("Keys  /registry/pods/ns-0/ ", step)
	s.WaitFor("1.0 KiB", step)
	s.WaitFor("50 rows, more not loaded yet", step) // the first page: two screens
	s.SendKeys("G")                                 // the end loads the next page
	s.WaitFor("100 rows", step)
	s.SendKeys("g")

	// A change by someone else shows up within a second, without a reload.
	if _, err := cli.Put(ctx, "/registry/pods/ns-0/aaa-new", "hello"); err != nil {
		t.Fatal(err)
	}
	// Within a second on a quiet machine; on a loaded one the assertion is that it comes at all.
	start := time.Now()
	s.WaitFor("aaa-new", step)
	t.Logf("the new key appeared after %v", time.Since(start).Round(time.Millisecond))
	s.WaitFor("101 rows", step)

	// The mouse wheel scrolls (an SGR wheel-down report, as a terminal sends it).
	for i := 0; i < 12; i++ {
		s.Type("\x1b[<65;10;10M")
	}
	s.WaitFor("obj-030", step) // 36 rows down; 24 fit on screen
	s.SendKeys("g")
	s.WaitGone("obj-030", step)

	// A name prefix filter.
	s.SendKeys("/")
	s.Type("obj-05")
	s.SendKeys("Enter")
	s.WaitFor("10 of 101 rows", step)
	s.WaitGone("obj-049", step)
	s.SendKeys("Escape")
	s.WaitGone("filter:", step)
	s.WaitFor("obj-049", step) // the whole directory again, the cursor still on obj-050

	// Goto from the command line lands in the Keys view on the key; up selects where we were.
	s.SendKeys(":")
	s.Type("goto /registry/secrets/ns-3/obj-042")
	s.SendKeys("Enter")
	s.WaitFor("Keys  /registry/secrets/ns-3/ ", step)
	s.SendKeys("BSpace")
	s.WaitFor("Keys  /registry/secrets/ ", step)
	// The title shows before the listing arrives: enter waits for the rows (ns-0 … ns-9).
	s.WaitFor("10 rows", step)
	s.SendKeys("Enter")
	s.WaitFor("Keys  /registry/secrets/ns-3/ ", step)
	s.SendKeys("q")
	s.WaitFor("[exited 0]", step)
}
