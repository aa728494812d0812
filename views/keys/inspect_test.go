package keys

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
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

// podValue is a Pod as the apiserver stores it (protobuf with the k8s\x00 prefix).
func podValue(t *testing.T) []byte {
	t.Helper()
	s := runtime.NewScheme()
	if err := corev1.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	pod := &corev1.Pod{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Name: "web-0", Namespace: "default", UID: "6f1c2a9e-0000-4000-8000-000000000001", Labels: map[string]string{"app": "web"}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "nginx", Image: "nginx:1.27",
			Ports: []corev1.ContainerPort{{ContainerPort: 80}}}}},
	}
	var b bytes.Buffer
	if err := protobuf.NewSerializer(s, s).Encode(pod, &b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// editFixture is a member with a JSON value edited twice, a Pod, a text value and a few keys,
// and a Keys view on it (read-only when asked). Writes go in a fixed order so revisions match.
type editFixture struct {
	audit string // the audit log's path
	m     *Model
	d     *driver
	etcd  *clientv3.Client
	flash []string
}

func newEditFixture(t *testing.T, w, h int, readOnly bool) *editFixture {
	t.Helper()
	member := nodetest.Start(t)
	etcd := nodetest.Client(t, member.Endpoints())
	ctx := context.Background()
	for _, kv := range [][2]string{
		{"/app/config", `{"name":"shop","replicas":2,"debug":false,"tags":["a","b"]}`},
		{"/app/notes", "remember the milk\nand the eggs"},
		{"/app/config", `{"name":"shop","replicas":3,"debug":false,"tags":["a","b"]}`},
		{"/registry/pods/default/web-0", string(podValue(t))},
		{"/registry/pods/default/web-1", "x"},
		{"/app/config", `{"name":"shop","replicas":3,"debug":true,"tags":["a","b","c"]}`},
	} {
		if _, err := etcd.Put(ctx, kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	auditPath := filepath.Join(t.TempDir(), "audit.log")
	audit, err := cluster.OpenAudit(auditPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { audit.Close() })
	s := viewtest.Session(t, member.Endpoints(), cluster.WithReadOnly(readOnly), cluster.WithAudit(audit))
	v := New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap(), Session: s})
	t.Cleanup(v.stopLive)
	v.SetSize(w, h)
	f := &editFixture{m: v, etcd: etcd, audit: auditPath}
	f.d = newDriver(t, v)
	f.d.Seen = func(msg tea.Msg) {
		if fm, ok := msg.(common.FlashMsg); ok {
			f.flash = append(f.flash, fm.Text)
		}
	}
	return f
}

// flashed waits until a flash containing s was shown.
func (f *editFixture) flashed(s string) {
	f.d.t.Helper()
	f.d.until("a flash saying "+s, func() bool {
		for _, fl := range f.flash {
			if strings.Contains(fl, s) {
				return true
			}
		}
		return false
	})
}

// inspect opens the inspector on key.
func (f *editFixture) inspect(key string) {
	f.d.t.Helper()
	f.d.Send(common.GotoMsg{Path: key})
	_, name := splitPath(key, '/')
	f.d.until("the key selected", func() bool { return f.m.selectedName() == name })
	f.d.Press("enter")
	f.d.until("the value", func() bool { return f.m.insp.doc != nil && !f.m.insp.loading && f.m.insp.key == key })
}

// auditLines are the audit log's lines as (action, key, result) triples.
func (f *editFixture) auditLines(t *testing.T) [][3]string {
	t.Helper()
	data, err := os.ReadFile(f.audit)
	if err != nil {
		t.Fatal(err)
	}
	var out [][3]string
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var e cluster.AuditEntry
		if l == "" {
			continue
		}
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("audit line %q: %v", l, err)
		}
		out = append(out, [3]string{e.Action, e.Key, e.Result})
	}
	return out
}

func (f *editFixture) get(t *testing.T, key string) *clientv3.GetResponse {
	t.Helper()
	resp, err := f.etcd.Get(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// TestGoldenInspector: the inspector on JSON and on a decoded Pod, and the history with a diff,
// at 80x24 (below the list) and 120x40 (beside it).
func TestGoldenInspector(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}, {100, 30}} { // 100x30: the README's pictures
		f := newEditFixture(t, size[0], size[1], false)
		d := f.d
		for _, sc := range []struct {
			name string
			do   func()
			want string
		}{
			{"inspector_json", func() { f.inspect("/app/config") }, `"replicas": 3`},
			{"inspector_pod", func() { d.Press("esc"); f.inspect("/registry/pods/default/web-0") }, "image: nginx:1.27"},
			{"history_diff", func() { d.Press("esc"); f.inspect("/app/config"); d.Press("H") }, `+  "debug": true`},
		} {
			t.Run(fmt.Sprintf("%s_%dx%d", sc.name, size[0], size[1]), func(t *testing.T) {
				sc.do()
				d.until(sc.want, d.contains(sc.want))
				golden.RequireEqual(t, []byte(d.screen()))
			})
		}
	}
}

// TestInspector: renderings cycle with v, the lease's TTL is shown, and enter on a history
// revision shows that value.
func TestInspector(t *testing.T) {
	f := newEditFixture(t, 120, 40, false)
	d, m := f.d, f.m
	f.inspect("/app/config")
	if m.insp.doc.Rendering.String() != "json" {
		t.Fatalf("JSON value rendered as %v", m.insp.doc.Rendering)
	}
	// A change by someone else shows in the open inspector (the directory's watch sees it).
	f.etcd.Put(context.Background(), "/app/config", `{"name":"shop","replicas":4}`)
	d.until("the new value", d.contains(`"replicas": 4`))
	f.etcd.Put(context.Background(), "/app/config", `{"name":"shop","replicas":3,"debug":true,"tags":["a","b","c"]}`)
	d.until("the value back", d.contains(`"replicas": 3`))
	d.Press("v")
	d.until("yaml", func() bool { return m.insp.doc.Rendering.String() == "yaml" })
	if !strings.Contains(ansi.Strip(m.View()), "replicas: 3") {
		t.Fatalf("yaml rendering:\n%s", ansi.Strip(m.View()))
	}
	d.Press("H")
	d.until("the history", func() bool { return !m.hist.loading && len(m.hist.h.Revs) == 5 })
	if !strings.Contains(ansi.Strip(m.View()), "complete history") {
		t.Errorf("history footnote:\n%s", ansi.Strip(m.View()))
	}
	d.Press("G", "enter")
	d.until("the first revision's value", d.contains(`"replicas": 2`))
	d.Press("esc")
	d.until("back to the history", func() bool { return m.pane == paneHistory })

	// A key with a lease shows its TTL, counting down.
	lease, err := f.etcd.Grant(context.Background(), 600)
	if err != nil {
		t.Fatal(err)
	}
	f.etcd.Put(context.Background(), "/app/session", "s", clientv3.WithLease(lease.ID))
	d.Press("esc")
	f.inspect("/app/session")
	want := fmt.Sprintf("lease %x · ttl ", int64(lease.ID))
	d.until("the TTL", d.contains(want))
	first := m.insp.ttlLeft
	d.until("a tick", func() bool { return m.insp.ttlLeft < first })

	// y and Y copy through OSC 52 (tea.SetClipboard) and say so.
	var copied []string
	d.Seen = func(msg tea.Msg) {
		if fm, ok := msg.(common.FlashMsg); ok {
			f.flash = append(f.flash, fm.Text)
		} else if s := fmt.Sprintf("%T", msg); strings.Contains(s, "setClipboardMsg") {
			copied = append(copied, fmt.Sprint(msg))
		}
	}
	d.Press("y", "Y")
	f.flashed("copied value as text (1 B) via OSC 52: the terminal must allow OSC 52")
	d.until("both copies", func() bool { return len(copied) == 2 })
	slices.Sort(copied) // the two commands run concurrently
	if copied[0] != "/app/session" || copied[1] != "s" {
		t.Errorf("copied %q, want the key and the value", copied)
	}

	// A long line wraps: its end is on screen, and G shows the value's last line.
	long := strings.Repeat("0123456789", 30) + "THE-END"
	f.etcd.Put(context.Background(), "/app/long", long+"\nsecond line")
	d.Press("esc")
	f.inspect("/app/long")
	d.until("the wrapped end", d.contains("89THE-END"))
	d.Press("G")
	d.until("the last line", d.contains("second line"))

	// The wheel scrolls the open value, not the list behind it.
	f.etcd.Put(context.Background(), "/app/many", strings.Repeat("line\n", 100))
	d.Press("esc")
	f.inspect("/app/many")
	d.Send(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if m.insp.offset != 3 || m.selectedName() != "many" {
		t.Errorf("the wheel: inspector at line %d, list on %q; want line 3, the list still", m.insp.offset, m.selectedName())
	}

	// When the TTL runs out the key is read again: gone with its lease.
	short, err := f.etcd.Grant(context.Background(), 2)
	if err != nil {
		t.Fatal(err)
	}
	f.etcd.Put(context.Background(), "/app/ephemeral", "e", clientv3.WithLease(short.ID))
	d.Press("esc")
	f.inspect("/app/ephemeral")
	d.until("the key gone with its lease", d.contains("the key does not exist now"))
}

// TestTimeTravel: `:rev N` shows the tree at N (a key deleted since is there, one created since
// is not), titled "not live", with edits refused; `:rev` returns to live; a future or compacted
// revision is one message.
func TestTimeTravel(t *testing.T) {
	f := newEditFixture(t, 80, 24, false)
	d, m := f.d, f.m
	ctx := context.Background()
	n := f.get(t, "/app/config").Header.Revision
	f.etcd.Delete(ctx, "/app/notes")
	f.etcd.Put(ctx, "/app/later", "new")
	d.Send(common.GotoMsg{Path: "/app/"})
	d.until("the live listing", d.contains("later"))
	d.Send(TimeTravelMsg{Rev: n})
	d.until("the past", d.contains(fmt.Sprintf("at rev %d · not live", n)))
	d.until("the past listing", func() bool {
		return strings.Contains(ansi.Strip(m.View()), "notes") && !strings.Contains(ansi.Strip(m.View()), "later")
	})
	if m.live != nil {
		t.Error("a pinned view runs a live watch")
	}
	f.inspect("/app/notes")
	d.until("the deleted key's value at N", d.contains("remember the milk"))
	d.Press("e")
	f.flashed("edits are disabled")
	d.Press("esc")
	d.Send(TimeTravelMsg{})
	d.until("live again", d.contains("· live"))
	d.until("the live listing", func() bool { return !strings.Contains(ansi.Strip(m.View()), "notes") })
	d.Send(TimeTravelMsg{Rev: n + 1000})
	f.flashed("in the future")
	if _, err := f.etcd.Compact(ctx, n); err != nil {
		t.Fatal(err)
	}
	d.Send(TimeTravelMsg{Rev: n - 1})
	f.flashed(fmt.Sprintf("is compacted: the oldest kept is %d", n))
	if m.pinRev != 0 {
		t.Errorf("a refused :rev pinned the view to %d", m.pinRev)
	}
}

// TestHistoryTimes: revisions of a Kubernetes object show when it says it was written; others
// say times are unknown.
func TestHistoryTimes(t *testing.T) {
	f := newEditFixture(t, 120, 40, false)
	d, m := f.d, f.m
	s := runtime.NewScheme()
	corev1.AddToScheme(s)
	cm := &corev1.ConfigMap{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Name: "cm", Namespace: "default",
			CreationTimestamp: metav1.NewTime(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))}}
	var b bytes.Buffer
	protobuf.NewSerializer(s, s).Encode(cm, &b)
	f.etcd.Put(context.Background(), "/registry/configmaps/default/cm", b.String())
	f.inspect("/registry/configmaps/default/cm")
	d.Press("H")
	d.until("the time", d.contains("2026-11-30 09:00:00"))
	if !strings.Contains(ansi.Strip(m.View()), "times from the objects' managedFields") {
		t.Errorf("history footnote:\n%s", ansi.Strip(m.View()))
	}
	d.Press("esc", "esc")
	f.inspect("/app/notes")
	d.Press("H")
	d.until("the footnote", d.contains("times unknown (etcd records none)"))
}
