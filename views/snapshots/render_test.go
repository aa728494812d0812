package snapshots

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/backup"
	"github.com/etcdeck/etcdeck/config"
	"github.com/etcdeck/etcdeck/embednode"
	"github.com/etcdeck/etcdeck/keymap"
	"github.com/etcdeck/etcdeck/views/common"
	"github.com/etcdeck/etcdeck/views/common/viewtest"
)

// screen renders the view with the ASCII colour profile, as the goldens hold it.
func screen(m *Model) string {
	var buf bytes.Buffer
	w := &colorprofile.Writer{Forward: &buf, Profile: colorprofile.Ascii}
	w.WriteString(m.View())
	return buf.String()
}

// fixture is a backup directory's worth of files and statuses, the same on every run: a good
// snapshot, a corrupt one, a truncated one, a data-dir copy, another cluster's, and one being
// checked.
func fixture() ([]backup.File, map[string]embednode.SnapshotStatus) {
	base := time.Date(2026, 11, 25, 1, 2, 3, 0, time.UTC)
	const a, b = 0xcdf818194e3a8c32, 0x8e9e05c52164694d
	specs := []struct {
		id   uint64
		age  time.Duration
		rev  int64
		size int64
		st   *embednode.SnapshotStatus
	}{
		{a, 0, 4006, 551198752, &embednode.SnapshotStatus{SHA256: embednode.SHA256OK, Revision: 4006, TotalKey: 400000, TotalSize: 551198720, Version: "3.7.0", Hash: 0xcd652737}},
		{a, time.Hour, 3990, 551194656, nil}, // being checked
		{a, 24 * time.Hour, 3500, 20512, &embednode.SnapshotStatus{SHA256: embednode.SHA256Mismatch, Error: "cannot read the database: page 3: invalid type"}},
		{b, 48 * time.Hour, 120, 16416, &embednode.SnapshotStatus{SHA256: embednode.SHA256OK, Revision: 120, TotalKey: 57, TotalSize: 16384}},
		{a, 72 * time.Hour, 3001, 9000, &embednode.SnapshotStatus{SHA256: embednode.SHA256Truncated, Error: "truncated"}},
		{a, 30 * 24 * time.Hour, 12, 20480, &embednode.SnapshotStatus{SHA256: embednode.SHA256None, Revision: 12, TotalKey: 3, TotalSize: 20480}},
	}
	var files []backup.File
	sts := map[string]embednode.SnapshotStatus{}
	for _, s := range specs {
		t := base.Add(-s.age)
		name := backup.Name(s.id, t, s.rev)
		f := backup.File{Path: filepath.Join("/backups", name), Name: name, ClusterID: s.id, Time: t, Revision: s.rev, Size: s.size}
		files = append(files, f)
		if s.st != nil {
			st := *s.st
			st.Path, st.Size = f.Path, f.Size
			sts[f.Path] = st
		}
	}
	return files, sts
}

// fixtureView is the view at w×h showing the fixture, its statuses delivered as messages.
func fixtureView(w, h int) *Model {
	s := config.Defaults()
	s.BackupDir = "/backups"
	m := New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap(), Settings: s})
	m.exe = "etcdeck" // statuses arrive as messages below; no child runs (commands are not run)
	m.SetSize(w, h)
	files, sts := fixture()
	m.Update(listedMsg{gen: m.gen, files: files})
	for _, f := range files {
		if st, ok := sts[f.Path]; ok {
			m.reading = ""
			m.Update(statusMsg{path: f.Path, st: st})
		}
	}
	m.reading = files[1].Path
	m.statuses[files[1].Path] = &fileStatus{loading: true}
	return m
}

// TestGoldenSnapshots renders the view at 80x24 and 120x40: no directory, an empty one, the
// fixture's list, a file's full status, the delete question and a running save.
func TestGoldenSnapshots(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		w, h := size[0], size[1]
		for _, sc := range []struct {
			name string
			view func() *Model
		}{
			{"nodir", func() *Model {
				m := New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap()})
				m.SetSize(w, h)
				return m
			}},
			{"empty", func() *Model {
				m := fixtureView(w, h)
				m.Update(listedMsg{gen: m.gen})
				return m
			}},
			{"list", func() *Model {
				m := fixtureView(w, h)
				m.Update(viewtest.Key("j"))
				return m
			}},
			{"detail", func() *Model {
				m := fixtureView(w, h)
				m.Update(viewtest.Key("enter"))
				return m
			}},
			{"detail_corrupt", func() *Model {
				m := fixtureView(w, h)
				m.Update(viewtest.Key("j"))
				m.Update(viewtest.Key("j"))
				m.Update(viewtest.Key("enter"))
				return m
			}},
			{"confirm_delete", func() *Model {
				m := fixtureView(w, h)
				m.Update(viewtest.Key("G"))
				m.Update(viewtest.Key("d"))
				return m
			}},
			{"saving", func() *Model {
				m := fixtureView(w, h)
				// Started but never run: the view shows a save going.
				m.save.Start(context.Background(), "snapshot", func(context.Context, *common.TaskRun) (saved, error) { return saved{}, nil })
				return m
			}},
		} {
			t.Run(fmt.Sprintf("%s_%dx%d", sc.name, w, h), func(t *testing.T) {
				got := screen(sc.view())
				if lines := strings.Split(got, "\n"); len(lines) != h {
					t.Fatalf("%d lines, want %d", len(lines), h)
				}
				golden.RequireEqual(t, []byte(got))
			})
		}
	}
}

// TestIntegrityText: every verdict in words, a problem always with ✗.
func TestIntegrityText(t *testing.T) {
	for _, tc := range []struct {
		st   embednode.SnapshotStatus
		want string
	}{
		{embednode.SnapshotStatus{SHA256: embednode.SHA256OK}, "✓ sha256 ok"},
		{embednode.SnapshotStatus{SHA256: embednode.SHA256Mismatch}, "✗ sha256 mismatch"},
		{embednode.SnapshotStatus{SHA256: embednode.SHA256Truncated, Error: "truncated"}, "✗ truncated"},
		{embednode.SnapshotStatus{SHA256: embednode.SHA256None}, "– no sha256 trailer"},
		{embednode.SnapshotStatus{SHA256: embednode.SHA256OK, Error: "reading the database crashed"}, "✗ reading the database crashed"},
	} {
		if got := integrityText(tc.st); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.st, got, tc.want)
		}
	}
}

// TestCursorFollowsFile: after a reload that adds a newer file, the cursor stays on the file it
// was on, not on the row number.
func TestCursorFollowsFile(t *testing.T) {
	m := fixtureView(120, 40)
	files, _ := fixture()
	m.Update(viewtest.Key("j"))
	m.Update(viewtest.Key("j"))
	newer := files[0]
	newer.Name = backup.Name(newer.ClusterID, newer.Time.Add(time.Hour), 5000)
	newer.Path = filepath.Join("/backups", newer.Name)
	m.reload()
	m.Update(listedMsg{gen: m.gen, files: append([]backup.File{newer}, files...)})
	if f, _ := m.selected(); f.Path != files[2].Path {
		t.Fatalf("cursor on %s, want %s", f.Name, files[2].Name)
	}
	if !strings.Contains(ansi.Strip(m.View()), "7 files") {
		t.Errorf("title does not count 7 files:\n%s", ansi.Strip(m.View()))
	}
}

// TestProgressText: the status bar names the member, bytes of the total, the rate and the time.
func TestProgressText(t *testing.T) {
	got := progress(cluster.SaveProgress{Endpoint: "10.0.0.2:2379", Role: "follower", Bytes: 100 << 20, Total: 500 << 20, Elapsed: 2 * time.Second}).Text()
	if want := "from the follower 10.0.0.2:2379 · 100.0 MiB of 500.0 MiB · 50.0 MiB/s · 2s"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
}

// TestPadLeftCountsCells: cells holding "…" or "–" (3 bytes, 1 cell) line up with digits.
func TestPadLeftCountsCells(t *testing.T) {
	for _, s := range []string{"…", "–", "57", "400,000", ""} {
		if got := ansi.StringWidth(padLeft(s, 10)); got != 10 {
			t.Errorf("padLeft(%q, 10) is %d cells wide, want 10", s, got)
		}
	}
	if got := padLeft("12345678901", 10); got != "12345678901" {
		t.Errorf("a longer cell is kept whole: %q", got)
	}
}

// TestNoHintLineOfItsOwn: the root draws the help line from ShortHelp under every view, so the
// view's own last line names no keys (it did: two hint lines on every screen); the keys it used
// to hint are in ShortHelp instead.
func TestNoHintLineOfItsOwn(t *testing.T) {
	m := fixtureView(120, 40)
	for _, screen := range []string{"list", "detail"} {
		if screen == "detail" {
			m.Update(viewtest.Key("enter"))
		}
		for _, hint := range []string{"full status", "delete", "open read-only", "save"} {
			if strings.Contains(ansi.Strip(m.View()), hint) {
				t.Errorf("%s: the view hints %q itself:\n%s", screen, hint, ansi.Strip(m.View()))
			}
		}
	}
	m = fixtureView(120, 40)
	var help []string
	for _, b := range m.ShortHelp() {
		help = append(help, b.Help().Key+" "+b.Help().Desc)
	}
	for _, want := range []string{"s save snapshot", "enter full status", "d delete file", "o open read-only"} {
		if !slices.Contains(help, want) {
			t.Errorf("short help %q lacks %q", help, want)
		}
	}
	// The most important first: the root's hint line drops the last ones (R and P were last).
	if want := []string{"enter full status", "R restore into member", "P restore plan"}; len(help) < 3 || !slices.Equal(help[:3], want) {
		t.Errorf("short help %q does not start with %q", help, want)
	}
}

// TestHintsNameOnlyWhatWorks: the help line and `?` (enabled bindings of ShortHelp and
// FullHelp) offer enter, d, o, R and P only with a file selected, not on a file's status (which
// offers esc), and w only on a built plan.
func TestHintsNameOnlyWhatWorks(t *testing.T) {
	offered := func(m *Model) map[string]bool {
		out := map[string]bool{}
		for _, b := range append(m.ShortHelp(), slices.Concat(m.FullHelp()...)...) {
			if b.Enabled() {
				out[b.Help().Key] = true
			}
		}
		return out
	}
	fileKeys := []string{"enter", "d", "o", "R", "P"}
	check := func(name string, m *Model, want map[string]bool) {
		t.Helper()
		got := offered(m)
		for _, k := range append(fileKeys, "w", "e", "esc") {
			if got[k] != want[k] {
				t.Errorf("%s: offers %s = %v, want %v (offered %v)", name, k, got[k], want[k], got)
			}
		}
	}
	nodir := New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap()})
	nodir.SetSize(80, 24)
	check("no backup directory", nodir, map[string]bool{})
	empty := fixtureView(80, 24)
	empty.Update(listedMsg{gen: empty.gen})
	check("no files", empty, map[string]bool{})
	// A key the help hides does nothing either.
	if _, cmd := empty.Update(viewtest.Key("enter")); cmd != nil || empty.detail {
		t.Errorf("enter with no file opened a status")
	}
	m := fixtureView(80, 24)
	check("list", m, map[string]bool{"enter": true, "d": true, "o": true, "R": true, "P": true})
	m.Update(viewtest.Key("enter"))
	check("a file's status", m, map[string]bool{"esc": true})
	m.Update(viewtest.Key("esc"))
	m.plan = planner{shown: true, loading: true}
	check("plan being built", m, map[string]bool{"esc": true})
	m.plan.loading = false
	check("plan", m, map[string]bool{"w": true, "e": true, "esc": true})
}

// TestFileTextEscaped: a file name and path, and a status error quoting them, show by the one
// escaping rule in the list, the footer and the file's details: ESC as \x1b (never obeyed, never
// swallowed), bidi as \u{…}.
func TestFileTextEscaped(t *testing.T) {
	m := fixtureView(120, 40)
	files, _ := fixture()
	f := files[0]
	f.Name = "ev\x1b[31mil\u202e.db"
	f.Path = "/backups/" + f.Name
	m.Update(listedMsg{gen: m.gen, files: []backup.File{f}})
	m.statuses[f.Path] = &fileStatus{err: errors.New("open " + f.Path + ": denied")}
	list := m.View()
	m.detail = true
	details := m.View()
	for where, s := range map[string]string{"list": list, "details": details} {
		if strings.ContainsRune(s, 0x202e) {
			t.Errorf("the %s hold U+202E raw:\n%q", where, s)
		}
	}
	for _, want := range []string{`ev\x1b[31mil\u{202e}.db`, `? open /backups/ev\x1b[31mil`} {
		if !strings.Contains(list, want) {
			t.Errorf("the list lacks %q:\n%q", want, list)
		}
	}
	if want := `/backups/ev\x1b[31mil\u{202e}.db`; !strings.Contains(details, want) {
		t.Errorf("the details lack %q:\n%q", want, details)
	}
}
