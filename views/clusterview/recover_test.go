package clusterview

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/config"
	"github.com/etcdeck/etcdeck/embednode"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
	"github.com/etcdeck/etcdeck/keymap"
	"github.com/etcdeck/etcdeck/views/common"
	"github.com/etcdeck/etcdeck/views/common/viewtest"
)

// TestGoldenRecoverNospace renders :recover-nospace's first question with the members' sizes.
func TestGoldenRecoverNospace(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("recover_%dx%d", size[0], size[1]), func(t *testing.T) {
			m := fixtureView(size[0], size[1])
			viewtest.New(t, m).Send(ActionMsg{Kind: RecoverNospace})
			if !m.InputFocused() {
				t.Fatal("no question")
			}
			golden.RequireEqual(t, []byte(screen(m)))
		})
	}
}

// TestRecoverNospace fills three members with a 4 MiB quota until NOSPACE, then answers y to
// each of :recover-nospace's four steps: each step's result stays on screen and writes work
// again at the end. A second run stopped with n changes nothing more.
func TestRecoverNospace(t *testing.T) {
	members := nodetest.StartClusterWith(t, 3, func(c *embednode.Config) { c.QuotaBackendBytes = 4 << 20 })
	audit, err := cluster.OpenAudit(filepath.Join(t.TempDir(), cluster.AuditFile))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { audit.Close() })
	sess := viewtest.SessionOf(t, cluster.ConnConfig{Endpoints: nodetest.Endpoints(members...), InsecureTransport: true,
		DialTimeout: 2 * time.Second, CommandTimeout: 5 * time.Second}, "test", nil, cluster.WithAudit(audit))
	c := sess.Client
	ctx := context.Background()
	val := bytes.Repeat([]byte("x"), 256<<10)
	for i := 0; ; i++ {
		if _, err := c.Put(ctx, "/big", val, cluster.PutOptions{}); err != nil {
			break
		}
		if i > 100 {
			t.Fatal("100 puts of 256 KiB fit in a 4 MiB quota")
		}
	}
	if _, err := c.Put(ctx, "/small", []byte("v"), cluster.PutOptions{}); err == nil {
		t.Fatal("a put works with NOSPACE raised")
	}

	st := config.Defaults()
	st.HealthPollInterval = 300 * time.Millisecond
	m := New(common.Common{Settings: st, Session: sess, Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap()})
	m.maint.wait = 100 * time.Millisecond
	m.SetSize(120, 40)
	d := viewtest.New(t, m)
	d.Run(m.Focus())
	until(t, d, m, 15*time.Second, "three members with their status", func() bool {
		n := 0
		for _, h := range m.members() {
			if h.Status != nil {
				n++
			}
		}
		return n == 3
	})
	if s := ansi.Strip(m.View()); !strings.Contains(s, ":recover-nospace does it step by step") {
		t.Errorf("the finding does not offer :recover-nospace:\n%s", s)
	}

	d.Send(ActionMsg{Kind: RecoverNospace})
	for step := 1; step <= 4; step++ {
		until(t, d, m, 60*time.Second, fmt.Sprintf("step %d's question", step), func() bool {
			return m.maint.confirm.Active() && strings.Contains(ansi.Strip(m.View()), fmt.Sprintf("step %d of 4", step))
		})
		d.Press("y")
	}
	until(t, d, m, 60*time.Second, "the last step's result", func() bool {
		return m.maint.rec.step == 0 && !m.maint.task.Running()
	})
	got := strings.Join(m.maint.result.Lines, "\n")
	for _, want := range []string{"✓ step 1: compacted to revision ", "✓ step 2: defragmented 3 members", "✓ step 3: disarmed ",
		"✓ step 4: writes work again (test put at revision "} {
		if !strings.Contains(got, want) {
			t.Errorf("result lacks %q:\n%s", want, got)
		}
	}
	if _, err := c.Put(ctx, "/small", []byte("v"), cluster.PutOptions{}); err != nil {
		t.Fatalf("put after the recovery: %v", err)
	}
	if _, err := c.Get(ctx, recoverCheckKey, 0); err == nil {
		t.Error("the test put's key was left behind")
	}

	d.Send(ActionMsg{Kind: RecoverNospace})
	d.Press("n")
	until(t, d, m, 10*time.Second, "the stop said", func() bool {
		return strings.Contains(strings.Join(m.maint.result.Lines, "\n"), "stopped before step 1: nothing more changed")
	})
	if m.maint.task.Running() || m.maint.rec.step != 0 {
		t.Fatal("n started a step")
	}
}
