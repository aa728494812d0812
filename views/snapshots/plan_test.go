package snapshots

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/etcdeck/etcdeck/cluster/member"
	"github.com/etcdeck/etcdeck/embednode"
	"github.com/etcdeck/etcdeck/views/common"
	"github.com/etcdeck/etcdeck/views/common/viewtest"
)

// planView is the fixture's view showing the plan for its newest file on a three-member cluster.
func planFixture(t *testing.T, w, h int) *Model {
	t.Helper()
	m := fixtureView(w, h)
	files, _ := fixture()
	var members []member.Info
	for i := 1; i <= 3; i++ {
		members = append(members, member.Info{ID: uint64(i), Name: fmt.Sprintf("etcd-%d", i),
			PeerURLs:   []string{fmt.Sprintf("https://10.0.0.%d:2380", i)},
			ClientURLs: []string{fmt.Sprintf("https://10.0.0.%d:2379", i)}})
	}
	in := embednode.PlanInput{ClusterID: files[0].ClusterID, Members: members,
		Snapshot: files[0].Path, Now: time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)}
	p, err := embednode.BuildRestorePlan(in)
	if err != nil {
		t.Fatal(err)
	}
	m.plan.shown, m.plan.loading, m.plan.seq, m.plan.file = true, true, 1, files[0].Path
	m.Update(planMsg{seq: 1, in: in, plan: p})
	return m
}

// TestGoldenPlan renders the plan screen at 80x24 and 120x40, from the top and scrolled.
func TestGoldenPlan(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}, {100, 30}} { // 100x30: the README's pictures
		w, h := size[0], size[1]
		for _, sc := range []struct {
			name string
			keys []string
		}{{"plan", nil}, {"plan_scrolled", []string{"j", "j", "j", "j", "j", "j", "j", "j", "j", "j"}}} {
			t.Run(fmt.Sprintf("%s_%dx%d", sc.name, w, h), func(t *testing.T) {
				m := planFixture(t, w, h)
				for _, k := range sc.keys {
					m.Update(viewtest.Key(k))
				}
				got := screen(m)
				if lines := strings.Split(got, "\n"); len(lines) != h {
					t.Fatalf("%d lines, want %d", len(lines), h)
				}
				golden.RequireEqual(t, []byte(got))
			})
		}
	}
}

func TestPlanScrollStopsAtTheEnd(t *testing.T) {
	m := planFixture(t, 80, 24)
	m.Update(viewtest.Key("G"))
	text := ansi.Strip(m.View())
	if !strings.Contains(text, "relist") {
		t.Fatalf("G does not show the plan's end (the note):\n%s", text)
	}
	before := m.plan.offset
	m.Update(viewtest.Key("j"))
	if m.plan.offset != before {
		t.Fatalf("scrolled past the end: %d -> %d", before, m.plan.offset)
	}
	m.Update(viewtest.Key("esc"))
	if m.plan.shown || !strings.Contains(ansi.Strip(m.View()), "TIME (UTC)") {
		t.Fatal("esc does not go back to the list")
	}
}

func TestPlanWritesScript(t *testing.T) {
	dir := t.TempDir()
	m := planFixture(t, 120, 40)
	m.common.Settings.BackupDir = dir
	_, cmd := m.Update(viewtest.Key("w"))
	if cmd == nil {
		t.Fatal("w returned no command")
	}
	msg, ok := cmd().(planWrittenMsg)
	if !ok || msg.err != nil || filepath.Dir(msg.path) != dir || !strings.HasPrefix(filepath.Base(msg.path), "restore-plan-cdf818194e3a8c32-") {
		t.Fatalf("written: %+v", msg)
	}
	info, err := os.Stat(msg.path)
	if err != nil || info.Mode().Perm() != 0o700 {
		t.Fatalf("script: %v %v, want mode 0700", info, err)
	}
	if out, err := exec.Command("bash", "-n", msg.path).CombinedOutput(); err != nil {
		t.Fatalf("bash -n: %v\n%s", err, out)
	}
	_, cmd = m.Update(msg)
	flash, ok := cmd().(common.FlashMsg)
	if !ok || !strings.Contains(flash.Text, "wrote "+msg.path) {
		t.Fatalf("flash %+v", flash)
	}
	if !strings.Contains(ansi.Strip(m.View()), "written to "+msg.path) {
		t.Fatalf("the footer does not say where:\n%s", ansi.Strip(m.View()))
	}
}

func TestRestoreNeedsEmbeddedMember(t *testing.T) {
	m := fixtureView(120, 40)
	_, cmd := m.Update(viewtest.Key("R"))
	flash, ok := cmd().(common.FlashMsg)
	if !ok || !strings.Contains(flash.Text, "P shows the restore plan") {
		t.Fatalf("R without an embedded member: %+v", flash)
	}
}

func TestHandlesBack(t *testing.T) {
	m := planFixture(t, 80, 24)
	if !m.HandlesBack() {
		t.Fatal("the plan is shown: esc closes it first")
	}
	m.Update(viewtest.Key("esc"))
	if m.HandlesBack() {
		t.Fatal("the list is shown: esc has nothing to do here")
	}
	m.Update(viewtest.Key("enter"))
	if !m.HandlesBack() {
		t.Fatal("a file's status is shown: esc closes it first")
	}
}

// TestPlanDataDirPrompt: e on the plan asks for the members' data dir (holding the current one),
// and enter rebuilds every command and the move aside for the dir typed; a relative dir is
// refused and the plan stays; esc leaves it; the next P keeps the chosen dir.
func TestPlanDataDirPrompt(t *testing.T) {
	m := planFixture(t, 120, 40)
	if !strings.Contains(ansi.Strip(m.View()), "--data-dir /var/lib/etcd") {
		t.Fatalf("the plan does not start at etcd's usual dir:\n%s", ansi.Strip(m.View()))
	}
	m.Update(viewtest.Key("e"))
	if !m.InputFocused() || !m.HandlesBack() || !strings.Contains(ansi.Strip(m.View()), "data dir on the members: /var/lib/etcd") {
		t.Fatalf("e does not ask for the data dir holding the current one:\n%s", ansi.Strip(m.View()))
	}
	m.Update(viewtest.Key("ctrl+u"))
	m.Update(tea.PasteMsg{Content: "relative/etcd"})
	_, cmd := m.Update(viewtest.Key("enter"))
	if flash, ok := cmd().(common.FlashMsg); !ok || flash.Level != common.FlashError || !strings.Contains(flash.Text, "not an absolute path") {
		t.Fatalf("a relative dir: %+v", flash)
	}
	if m.plan.plan.DataDir != "/var/lib/etcd" || m.InputFocused() {
		t.Fatalf("a refused dir changed the plan (%s) or kept the prompt open", m.plan.plan.DataDir)
	}
	m.Update(viewtest.Key("e"))
	m.Update(viewtest.Key("ctrl+u"))
	m.Update(tea.PasteMsg{Content: "/data/etcd/"})
	if _, cmd = m.Update(viewtest.Key("enter")); cmd == nil {
		t.Fatal("enter said nothing")
	}
	text := ansi.Strip(m.View())
	if strings.Contains(text, "/var/lib/etcd") || !strings.Contains(text, "--data-dir /data/etcd") || !strings.Contains(text, "data dir /data/etcd") {
		t.Fatalf("the plan was not rebuilt for /data/etcd:\n%s", text)
	}
	if !strings.Contains(m.plan.plan.Script(), "/data/etcd.bak-") {
		t.Errorf("the script does not move /data/etcd aside:\n%s", m.plan.plan.Script())
	}
	m.Update(viewtest.Key("e"))
	m.Update(viewtest.Key("x"))
	m.Update(viewtest.Key("esc"))
	if m.plan.plan.DataDir != "/data/etcd" || !m.plan.shown {
		t.Fatalf("esc in the prompt changed the plan (%s) or closed it", m.plan.plan.DataDir)
	}
	m.Update(viewtest.Key("esc"))
	m.common.Session = nil
	m.Update(viewtest.Key("P")) // not connected: says so; the chosen dir stays for the next plan
	if m.plan.dataDir != "/data/etcd" {
		t.Fatalf("the chosen dir was forgotten: %q", m.plan.dataDir)
	}
}
