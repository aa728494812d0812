package watch

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer/protobuf"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/decode"
	"github.com/etcdeck/etcdeck/views/common"
)

// TestDetailScroll: the pane keeps the event's header, shows the value from the scroll
// position, says how much is above and below, and never goes past the end.
func TestDetailScroll(t *testing.T) {
	st := common.NewStyles(true)
	var lines []string
	for i := 1; i <= 20; i++ {
		lines = append(lines, fmt.Sprintf("line %02d", i))
	}
	e := &entry{seq: 7, ev: cluster.Event{Kind: cluster.EventPut, Key: "/k", Value: []byte(strings.Join(lines, "\n"))}}
	for _, tc := range []struct {
		scroll, height int
		want           string
	}{
		{0, 7, "value as text · v renders:|line 01|line 02|line 03|… 17 more lines"},
		{5, 7, "… 6 lines above|line 06|line 07|line 08|… 12 more lines"},
		{99, 7, "… 17 lines above|line 17|line 18|line 19|line 20"},
		{3, 3, "… 4 lines above"},
		{0, 2, ""},
	} {
		var d detail
		d.reset()
		d.open, d.scroll, d.seq = true, tc.scroll, e.seq
		job, _ := jobFor(e, e.seq, 0)
		d.apply(job.run())
		out := d.view(st, e, 60, tc.height, paneHints{renders: "v"})
		body := make([]string, 0, len(out))
		for _, l := range out[min(detailHead, len(out)):] {
			body = append(body, strings.TrimSpace(ansi.Strip(l)))
		}
		if got := strings.Join(body, "|"); got != tc.want || len(out) > tc.height {
			t.Errorf("scroll %d height %d: %q (%d rows), want %q", tc.scroll, tc.height, got, len(out), tc.want)
		}
	}
}

// paneHas waits until the detail pane (the screen, stripped) holds every one of want.
func (d *driver) paneHas(want ...string) {
	d.t.Helper()
	d.until(strings.Join(want, ", "), func() bool {
		s := ansi.Strip(d.m.View())
		for _, w := range want {
			if !strings.Contains(s, w) {
				return false
			}
		}
		return true
	})
}

// TestDetailJSONDiff: a JSON value put over another shows pretty-printed and coloured as the
// inspector shows it, with a diff of the pretty forms naming the changed field; `v` cycles the
// renderings.
func TestDetailJSONDiff(t *testing.T) {
	m, c := testView(t, 120, 40, 0)
	d := newDriver(t, m)
	d.watch("/a/", 0)
	put(t, c, "/a/cfg", `{"name":"web","replicas":2}`)
	r2 := put(t, c, "/a/cfg", `{"name":"web","replicas":3}`)
	d.until("two events", d.rowCount(2))
	d.Press("enter")
	d.paneHas(fmt.Sprintf("changes from revision %d to %d (diff as json):", r2-1, r2), "value as json · v renders:",
		`-  "replicas": 2`, `+  "replicas": 3`, `"name": "web",`, "@@ -1,4 +1,4 @@")
	if s := ansi.Strip(m.View()); strings.Contains(s, "+++ rev") {
		t.Errorf("the diff repeats the revisions the label names:\n%s", s)
	}
	// The colours are the inspector's: a JSON key and a diff's added line are styled.
	st := m.common.Styles
	if s := m.View(); !strings.Contains(s, st.SynKey.Render(`"name"`)) || !strings.Contains(s, st.DiffAdd.Render(`+  "replicas": 3`)) {
		t.Errorf("the pane's JSON and diff are not coloured:\n%q", s)
	}
	d.Press("v")
	d.paneHas("value as yaml · v renders:", "replicas: 3", `+  "replicas": 3`)
	d.Press("v", "v", "v")
	d.paneHas("value as json · v renders:") // json, yaml, text, hex and round again
}

// TestDetailLargeValue: values over the inline budget render off the UI loop, and two larger
// than decode.MaxDiff are not diffed: the pane says so and still shows the value.
func TestDetailLargeValue(t *testing.T) {
	m, c := testView(t, 120, 40, 0)
	d := newDriver(t, m)
	d.watch("/big/", 0)
	big := func(n int) string {
		return `{"n":` + fmt.Sprint(n) + `,"pad":"` + strings.Repeat("x", decode.MaxDiff) + `"}`
	}
	put(t, c, "/big/v", big(1))
	put(t, c, "/big/v", big(2))
	d.until("two events", d.rowCount(2))
	d.Press("enter")
	if !strings.Contains(ansi.Strip(m.View()), "decoding the value…") || !m.detail.pending {
		t.Errorf("a %d-byte value was rendered inside Update", len(big(1)))
	}
	d.paneHas("too large to diff here (over 512 KiB)", "first differ at byte 5", "value as json", `"n": 2,`)
}

// TestDetailKubernetes: a Pod stored as the apiserver stores it (protobuf) shows as YAML, and
// a change to it diffs as YAML, not as a hex dump.
func TestDetailKubernetes(t *testing.T) {
	m, c := testView(t, 120, 40, 0)
	d := newDriver(t, m)
	d.watch("/registry/pods/", 0)
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web-0", Namespace: "shop", Labels: map[string]string{"app": "web"}},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "nginx", Image: "nginx:1.27"}}},
	}
	put(t, c, "/registry/pods/shop/web-0", string(encodePod(t, pod)))
	d.until("the pod's creation", d.rowCount(1))
	d.Press("enter")
	d.paneHas("value as kubernetes · v renders:", "Kubernetes protobuf · v1 Pod", "apiVersion: v1", "kind: Pod", "name: web-0")
	pod.Spec.Containers[0].Image = "nginx:1.28"
	put(t, c, "/registry/pods/shop/web-0", string(encodePod(t, pod)))
	d.paneHas("(diff as kubernetes)")
	added := regexp.MustCompile(`(?m)^\s*\+ *-? *image: nginx:1\.28`)
	removed := regexp.MustCompile(`(?m)^\s*- *-? *image: nginx:1\.27`)
	if s := ansi.Strip(m.View()); !added.MatchString(s) || !removed.MatchString(s) {
		t.Errorf("the pane lacks the image change as a YAML diff:\n%s", s)
	}
}

// encodePod encodes pod as the apiserver stores it: protobuf with the k8s\x00 prefix and the
// runtime.Unknown envelope (as cluster/decode's tests do).
func encodePod(t *testing.T, pod *corev1.Pod) []byte {
	t.Helper()
	s := runtime.NewScheme()
	if err := corev1.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	pod.GetObjectKind().SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Pod"))
	var b bytes.Buffer
	if err := protobuf.NewSerializer(s, s).Encode(pod, &b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestPreviewEscapesBidi: a value's preview in the event list shows bidi and zero-width
// characters escaped, so the row reads as its bytes.
func TestPreviewEscapesBidi(t *testing.T) {
	ev := &cluster.Event{Kind: cluster.EventPut, Key: "/k", Value: []byte("abc\u202edef\u200b\u2066x")}
	got := preview(ev, 40)
	if strings.ContainsAny(got, "\u202e\u200b\u2066") || !strings.Contains(got, `\u{202e}`) {
		t.Fatalf("preview %q", got)
	}
}
