package find

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	clientv3 "go.etcd.io/etcd/client/v3"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer/protobuf"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
	"github.com/etcdeck/etcdeck/keymap"
	"github.com/etcdeck/etcdeck/views/common"
	"github.com/etcdeck/etcdeck/views/common/viewtest"
)

// fixture is the Find view on a real member holding 300 config maps with text values, 40 Pods
// stored as the apiserver stores them (protobuf) and keys outside /registry/.
type fixture struct {
	t     *testing.T
	m     *Model
	d     *viewtest.Driver
	etcd  *clientv3.Client
	ends  []string // where endpoints are: for a second session
	audit string
	flash []string
	gotos []string
}

func podProto(t *testing.T, name, image string) []byte {
	t.Helper()
	s := runtime.NewScheme()
	if err := corev1.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	pod := &corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: image}}}}
	var b bytes.Buffer
	if err := protobuf.NewSerializer(s, s).Encode(pod, &b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func newFixture(t *testing.T, readOnly bool) *fixture {
	t.Helper()
	member := nodetest.Start(t)
	f := &fixture{t: t, etcd: nodetest.Client(t, member.Endpoints()), ends: member.Endpoints(),
		audit: filepath.Join(t.TempDir(), "audit.log")}
	ctx := context.Background()
	for i := range 300 {
		key := fmt.Sprintf("/registry/configmaps/ns%d/cm-%03d", i%7, i)
		if i == 5 {
			key += "\\ \xff" // a backslash, a space and a byte that is no UTF-8: opened as itself
		}
		if _, err := f.etcd.Put(ctx, key, fmt.Sprintf("line one\nowner: team-%d\nlast line", i%5)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 40 {
		img := []string{"nginx:1.27", "redis:7", "busybox"}[i%3]
		if _, err := f.etcd.Put(ctx, fmt.Sprintf("/registry/pods/default/web-%02d", i), string(podProto(t, fmt.Sprintf("web-%02d", i), img))); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.etcd.Put(ctx, "/elsewhere/team-3", "owner: team-3"); err != nil {
		t.Fatal(err)
	}
	audit, err := cluster.OpenAudit(f.audit)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { audit.Close() })
	s := viewtest.Session(t, member.Endpoints(), cluster.WithReadOnly(readOnly), cluster.WithAudit(audit))
	f.m = New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap(), Session: s})
	f.m.SetSize(100, 30)
	f.m.pageSize = 17 // many pages: the matches stream in
	f.m.exportDir = t.TempDir()
	f.d = viewtest.New(t, f.m)
	f.d.Seen = func(msg tea.Msg) {
		switch msg := msg.(type) {
		case common.FlashMsg:
			f.flash = append(f.flash, msg.Text)
		case common.GotoMsg:
			f.gotos = append(f.gotos, msg.Path)
		}
	}
	return f
}

// until drains the view's messages until cond holds (generous: a slow machine is not a failure).
func (f *fixture) until(what string, cond func() bool) {
	f.t.Helper()
	deadline := time.After(30 * time.Second)
	for !cond() {
		select {
		case msg := <-f.d.Msgs:
			f.d.Send(msg)
		case <-time.After(10 * time.Millisecond): // cond may turn on another goroutine
		case <-deadline:
			f.t.Fatalf("waiting for %s; view:\n%s", what, f.m.View())
		}
	}
}

// search runs q to its end and returns the keys matched, in the order shown.
func (f *fixture) search(q StartMsg) []string {
	f.t.Helper()
	f.d.Send(q)
	f.until("the search to end", func() bool { return !f.m.task.Running() })
	var keys []string
	for _, mt := range f.m.matches {
		keys = append(keys, mt.Key)
	}
	return keys
}

// naive is every key under prefix whose key (or value, or its decoded text) matches q, read in
// one Get: what `etcdctl get --prefix | grep` would find.
func (f *fixture) naive(q StartMsg) []string {
	f.t.Helper()
	all, err := f.etcd.Get(context.Background(), q.Prefix, clientv3.WithPrefix())
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, kv := range all.Kvs {
		text := kv.Value
		if q.Decoded {
			if d := decodedText(kv.Value); d != nil {
				text = d
			}
		}
		var hit bool
		if q.Regex {
			re := regexp.MustCompile(q.Text)
			hit = re.Match(kv.Key) || q.Values && re.Match(text)
		} else {
			hit = bytes.Contains(kv.Key, []byte(q.Text)) || q.Values && bytes.Contains(text, []byte(q.Text))
		}
		if hit {
			out = append(out, string(kv.Key))
		}
	}
	return out
}

// TestFindViewCountsMatchNaiveScan: the view's matches (keys, values, regex, decoded Pod YAML)
// are exactly a naive scan's, streamed over many pages; the figures say every key was scanned;
// enter opens the selected match (escaped, so an odd key arrives as itself) and n/N wrap.
func TestFindViewCountsMatchNaiveScan(t *testing.T) {
	f := newFixture(t, false)
	for _, q := range []StartMsg{
		{Text: "cm-01"},
		{Text: "team-3", Values: true},
		{Text: `ns[25]/cm-\d*7$`, Regex: true},
		{Text: `team-[14]$`, Regex: true, Values: true},
		{Text: "image: redis:7", Values: true, Decoded: true},
		{Text: "image: redis:7", Values: true}, // not in the raw protobuf: nothing
	} {
		q.Prefix, q.InDir = "/registry/", true
		// That matches arrive while the scan runs is TestFindViewCancelKeepsPartial's: a scan held
		// after its third page shows those pages' matches. On 340 keys the scan may end before a
		// batch is drawn; its end brings the rest.
		got, want := f.search(q), f.naive(q)
		if strings.Join(got, " ") != strings.Join(want, " ") || f.m.ended != "" {
			t.Errorf("find %+v: %d matches (%s), naive scan %d\ngot  %q\nwant %q", q, len(got), f.m.ended, len(want), got, want)
		}
		if p := f.m.prog; p.Scanned != 340 || p.Total != 340 || p.Found != len(want) || !p.Finished {
			t.Errorf("find %+v: figures %+v, want 340 of 340 scanned, %d found, finished", q, p, len(want))
		}
		if scr := f.m.View(); !strings.Contains(scr, matchCount(len(want))+" in 340 keys") {
			t.Errorf("find %+v: the screen does not say %s in 340 keys:\n%s", q, matchCount(len(want)), scr)
		}
	}
	f.d.Seen = func(msg tea.Msg) {
		if g, ok := msg.(common.GotoMsg); ok {
			f.gotos = append(f.gotos, g.Path)
		}
	}
	got := f.search(StartMsg{Text: "cm-00", Prefix: "/registry/configmaps/", InDir: true})
	if len(got) != 10 {
		t.Fatalf("cm-00: %d matches, want 10", len(got))
	}
	odd := slices.Index(got, "/registry/configmaps/ns5/cm-005\\ \xff") // a backslash and a byte
	if odd < 1 {
		t.Fatalf("cm-005 is not among %q", got)
	}
	for range odd {
		f.d.Press("j")
	}
	f.d.Press("enter", "N")
	if f.m.cursor != odd-1 {
		t.Errorf("N from match %d: cursor %d", odd, f.m.cursor)
	}
	f.d.Press("g", "N")
	if f.m.cursor != 9 {
		t.Errorf("N from the first match: cursor %d, want the last (9)", f.m.cursor)
	}
	f.d.Press("n")
	if f.m.cursor != 0 {
		t.Errorf("n from the last match: cursor %d, want the first", f.m.cursor)
	}
	f.until("enter's GotoMsg", func() bool { return len(f.gotos) > 0 })
	if raw, err := cluster.UnescapeKey(f.gotos[0]); err != nil || raw != "/registry/configmaps/ns5/cm-005\\ \xff" {
		t.Errorf("enter went to %q (%q, %v), want the match's key as itself", f.gotos[0], raw, err)
	}
}

// TestFindViewCancelKeepsPartial: esc while the scan runs stops it and keeps exactly the
// matches found before (the scan is held after its third page until esc was pressed); the
// screen says it stopped and how far it came.
func TestFindViewCancelKeepsPartial(t *testing.T) {
	f := newFixture(t, false)
	hold, pressed := make(chan struct{}), make(chan struct{})
	f.m.reported = func(p cluster.FindProgress) {
		if p.Scanned == 3*17 {
			close(hold)
			<-pressed
		}
	}
	f.d.Send(StartMsg{Text: "cm-", Prefix: "/registry/configmaps/", InDir: true})
	f.until("the third page", func() bool {
		select {
		case <-hold:
			return true
		default:
			return false
		}
	})
	if !f.m.HandlesBack() {
		t.Fatal("esc does not go to the view while the search runs")
	}
	f.d.Press("esc")
	close(pressed)
	f.until("the search to stop", func() bool { return !f.m.task.Running() })
	if len(f.m.matches) != 3*17 || !f.m.cancelled || f.m.prog.Finished || f.m.prog.Scanned != 3*17 {
		t.Errorf("after esc: %d matches kept, cancelled %v, figures %+v; want the 51 of the three pages", len(f.m.matches), f.m.cancelled, f.m.prog)
	}
	if scr := f.m.View(); !strings.Contains(scr, "51 matches in 51 of 300 keys · stopped, matches kept") {
		t.Errorf("the screen does not say it stopped with 51 kept:\n%s", scr)
	}
	// A new search after it starts afresh.
	f.m.reported = nil
	if got := f.search(StartMsg{Text: "cm-29", Prefix: "/registry/configmaps/", InDir: true}); len(got) != 10 || f.m.cancelled {
		t.Errorf("the next search: %d matches, cancelled %v; want 10, finished", len(got), f.m.cancelled)
	}
}

// TestFindViewDropsOtherSessions: every message of a search run by one session's view, handed
// to the view of another session (as the root hands messages to every view), changes nothing
// there; and a report of a search replaced since is dropped.
func TestFindViewDropsOtherSessions(t *testing.T) {
	f := newFixture(t, false)
	other := New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap(), Session: viewtest.Session(t, f.ends)})
	other.SetSize(100, 30)
	before := other.View()
	var seen int
	f.d.Seen = func(msg tea.Msg) {
		if _, ok := msg.(StartMsg); ok {
			return // the root gives the verb to the current session's view only
		}
		seen++
		other.Update(msg)
	}
	got := f.search(StartMsg{Text: "team-3", Values: true, Prefix: "/registry/", InDir: true})
	if len(got) == 0 || seen < 3 {
		t.Fatalf("the search found %d, %d messages: the test needs a search that streams", len(got), seen)
	}
	if other.View() != before || other.ran || len(other.matches) != 0 || other.task.Running() {
		t.Errorf("the other session's view changed:\n%s", other.View())
	}
	// A report of the search before this one: dropped.
	n := len(f.m.matches)
	f.m.sink.add(cluster.FindProgress{Matches: []cluster.FindMatch{{Key: "/stale"}}})
	f.d.Send(foundMsg{session: f.m.common.SessionID(), gen: f.m.gen - 1})
	if len(f.m.matches) != n {
		t.Errorf("a stale search's report was applied: %d matches, want %d", len(f.m.matches), n)
	}
}

// TestFindViewExport: x writes the matches (escaped key, mod revision, matching line) to a new
// file through the write path, audited; a read-only session refuses, audited, and writes nothing.
func TestFindViewExport(t *testing.T) {
	f := newFixture(t, false)
	got := f.search(StartMsg{Text: "owner: team-4", Values: true, Prefix: "/registry/configmaps/", InDir: true})
	f.d.Press("x")
	f.until("the export", func() bool { return len(f.flash) > 0 })
	if !strings.HasPrefix(f.flash[0], "✓ 60 matches exported to ") {
		t.Fatalf("export said %q", f.flash)
	}
	files, _ := filepath.Glob(filepath.Join(f.m.exportDir, "etcdeck-find-*.tsv"))
	if len(files) != 1 {
		t.Fatalf("export files %v, want one", files)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 2+len(got) || !strings.Contains(lines[0], `"owner: team-4" under /registry/configmaps/`) {
		t.Fatalf("export holds %d lines (want 2 + %d):\n%s", len(lines), len(got), b)
	}
	for i, l := range lines[2:] {
		cols := strings.Split(l, "\t")
		mt := f.m.matches[i]
		if len(cols) != 3 || cols[0] != cluster.EscapeKey(mt.Key) || cols[1] != fmt.Sprint(mt.ModRev) || cols[2] != "owner: team-4" {
			t.Errorf("export line %q, want %s, %d, the matching line", l, cluster.EscapeKey(mt.Key), mt.ModRev)
		}
	}
	audit, _ := os.ReadFile(f.audit)
	if !strings.Contains(string(audit), `"action":"find-export"`) || !strings.Contains(string(audit), filepath.Base(files[0])) {
		t.Errorf("the export is not audited with its file:\n%s", audit)
	}

	ro := newFixture(t, true)
	ro.search(StartMsg{Text: "team-4", Values: true, Prefix: "/registry/configmaps/", InDir: true})
	ro.d.Press("x")
	ro.until("the refusal", func() bool { return len(ro.flash) > 0 })
	if !strings.Contains(ro.flash[0], "read-only") {
		t.Errorf("read-only export said %q, want the refusal", ro.flash)
	}
	if files, _ := filepath.Glob(filepath.Join(ro.m.exportDir, "*")); len(files) != 0 {
		t.Errorf("read-only export wrote %v", files)
	}
	if audit, _ := os.ReadFile(ro.audit); !strings.Contains(string(audit), `"action":"find-export"`) || !strings.Contains(string(audit), "refused: read-only") {
		t.Errorf("the refusal is not audited:\n%s", audit)
	}
}

// TestFindViewAnswersKeysDuringScan: keys are answered while the scan runs. The scan is held
// after its third page (its goroutine blocked in the report) and every key is sent meanwhile:
// each moves the cursor at once, so Update never waits for the scan; released, the scan ends
// with every match. No time is measured here (BenchmarkFindKeyPress in tui/ measures it).
func TestFindViewAnswersKeysDuringScan(t *testing.T) {
	f := newFixture(t, false)
	hold, release := make(chan struct{}), make(chan struct{})
	f.m.reported = func(p cluster.FindProgress) {
		if p.Scanned == 3*17 {
			close(hold)
			<-release
		}
	}
	f.d.Send(StartMsg{Text: "cm-", Prefix: "/registry/configmaps/", InDir: true})
	f.until("the third page's matches", func() bool {
		select {
		case <-hold:
			return len(f.m.matches) == 3*17
		default:
			return false
		}
	})
	for _, step := range []struct {
		key  string
		want int
	}{{"j", 1}, {"j", 2}, {"G", 3*17 - 1}, {"n", 0}, {"N", 3*17 - 1}, {"g", 0}} {
		f.d.Press(step.key)
		if f.m.cursor != step.want || !f.m.task.Running() {
			t.Fatalf("%s during the scan: cursor %d (want %d), scan running %v", step.key, f.m.cursor, step.want, f.m.task.Running())
		}
	}
	if scr := f.m.View(); !strings.Contains(scr, "scanning…") {
		t.Fatalf("the screen does not say the scan runs:\n%s", scr)
	}
	close(release)
	f.until("the scan to end", func() bool { return !f.m.task.Running() })
	if len(f.m.matches) != 300 || !f.m.prog.Finished {
		t.Fatalf("after the release: %d matches, finished %v; want 300", len(f.m.matches), f.m.prog.Finished)
	}
}
