package cluster_test

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	clientv3 "go.etcd.io/etcd/client/v3"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer/protobuf"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/decode"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// podProto is a Pod as the apiserver stores it (protobuf), whose image only its decoded YAML
// shows as text ("image: <image>").
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

// TestFindCountsMatchNaiveScan: on a member holding text values and Pods, Find's matches (keys,
// values, regex, decoded Pod YAML) are exactly those of a naive scan of every key under the
// prefix, with pages far smaller than the subtree; keys outside the prefix never match; the
// cap keeps MaxMatches and counts the rest; a cancelled scan returns what it found.
func TestFindCountsMatchNaiveScan(t *testing.T) {
	m := nodetest.Start(t)
	etcd := nodetest.Client(t, m.Endpoints())
	c, _ := writeClientAt(t, m.Endpoints())
	ctx := context.Background()
	for i := range 300 {
		key := fmt.Sprintf("/registry/configmaps/ns%d/cm-%03d", i%7, i)
		val := fmt.Sprintf("line one\nowner: team-%d\nlast line", i%5)
		if _, err := etcd.Put(ctx, key, val); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 40 {
		img := []string{"nginx:1.27", "redis:7", "busybox"}[i%3]
		if _, err := etcd.Put(ctx, fmt.Sprintf("/registry/pods/default/web-%02d", i), string(podProto(t, fmt.Sprintf("web-%02d", i), img))); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := etcd.Put(ctx, "/elsewhere/team-3", "owner: team-3"); err != nil {
		t.Fatal(err)
	}
	all, err := etcd.Get(ctx, "/registry/", clientv3.WithPrefix())
	if err != nil {
		t.Fatal(err)
	}
	decodeYAML := func(v []byte) []byte {
		y, _, err := decode.K8sObject(v)
		if err != nil {
			return nil
		}
		return y
	}
	naive := func(o cluster.FindOptions) []string {
		var out []string
		for _, kv := range all.Kvs {
			text := kv.Value
			if o.Decode != nil {
				if d := o.Decode(kv.Value); d != nil {
					text = d
				}
			}
			var hit bool
			if o.Regex {
				re := regexp.MustCompile(o.Text)
				hit = re.Match(kv.Key) || o.Values && re.Match(text)
			} else {
				hit = bytes.Contains(kv.Key, []byte(o.Text)) || o.Values && bytes.Contains(text, []byte(o.Text))
			}
			if hit {
				out = append(out, string(kv.Key))
			}
		}
		return out
	}
	for _, o := range []cluster.FindOptions{
		{Text: "cm-01"},                                            // keys only
		{Text: "team-3", Values: true},                             // values
		{Text: `ns[25]/cm-\d*7$`, Regex: true},                     // a regex on keys
		{Text: `team-[14]$`, Regex: true, Values: true},            // a regex on values' lines
		{Text: "image: redis:7", Values: true, Decode: decodeYAML}, // the decoded Pod
		{Text: "image: redis:7", Values: true},                     // not in the raw protobuf
	} {
		o.Prefix, o.PageSize = "/registry/", 17
		var got []string
		var reports int
		final, err := c.Find(ctx, o, func(p cluster.FindProgress) {
			reports++
			for _, m := range p.Matches {
				got = append(got, m.Key)
				if o.Values && !m.InValue && !strings.Contains(m.Key, o.Text) && !o.Regex {
					t.Errorf("%+v: %s matched on neither key nor value", o, m.Key)
				}
			}
		})
		want := naive(o)
		if err != nil || strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("find %q (values %v regex %v decoded %v): %d matches, %v; naive scan %d\ngot  %q\nwant %q",
				o.Text, o.Values, o.Regex, o.Decode != nil, len(got), err, len(want), got, want)
		}
		if final.Scanned != 340 || final.Total != 340 || final.Found != len(want) || !final.Finished || reports < 340/17 {
			t.Errorf("find %q: final %+v after %d reports; want 340 scanned of 340, %d found, in pages", o.Text, final, reports, len(want))
		}
	}
	// The decoded match's line is the YAML line, not the protobuf.
	_, err = c.Find(ctx, cluster.FindOptions{Prefix: "/registry/pods/", Text: "redis", Values: true, Decode: decodeYAML, MaxMatches: 1},
		func(p cluster.FindProgress) {
			for _, m := range p.Matches {
				if strings.TrimSpace(m.Line) != "image: redis:7" {
					t.Errorf("decoded match line %q, want the YAML line", m.Line)
				}
			}
		})
	if err != nil {
		t.Fatal(err)
	}
	// The cap keeps MaxMatches, counts all.
	final, err := c.Find(ctx, cluster.FindOptions{Prefix: "/registry/", Text: "cm-", MaxMatches: 10, PageSize: 50}, nil)
	if err != nil || final.Found != 300 || !final.Capped {
		t.Errorf("capped find: %+v, %v; want 300 found, capped", final, err)
	}
	// Cancelled after the first page: the matches of that page were reported, the error says so.
	cctx, cancel := context.WithCancel(ctx)
	var kept int
	final, err = c.Find(cctx, cluster.FindOptions{Prefix: "/registry/", Text: "cm-", PageSize: 20}, func(p cluster.FindProgress) {
		kept += len(p.Matches)
		cancel()
	})
	if err == nil || kept != 20 || final.Scanned != 20 || final.Finished {
		t.Errorf("cancelled find: %+v, kept %d, %v; want 20 kept, context canceled", final, kept, err)
	}
	if _, err := c.Find(ctx, cluster.FindOptions{Text: "(", Regex: true}, nil); err == nil || !strings.Contains(err.Error(), "not a regular expression") {
		t.Errorf("bad regex: %v, want a clear error", err)
	}
}

func writeClientAt(t *testing.T, endpoints []string) (*cluster.Client, []string) {
	t.Helper()
	return optClient(t, cluster.ConnConfig{Endpoints: endpoints, InsecureTransport: true}), endpoints
}

// TestFindEtcd34 searches through the paged Gets on a server without RangeStream: the same
// matches as a naive scan, in pages, and a cancel after the first page keeps that page.
func TestFindEtcd34(t *testing.T) {
	ep := nodetest.StartEtcd34(t)
	c, _ := writeClientAt(t, []string{ep})
	etcd := nodetest.Client(t, []string{ep})
	ctx := context.Background()
	var want []string
	for i := range 100 {
		key := fmt.Sprintf("/a/k%03d", i)
		val := fmt.Sprintf("v-%d", i%4)
		if _, err := etcd.Put(ctx, key, val); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(key, "v-3") || val == "v-3" {
			want = append(want, key)
		}
	}
	var got []string
	var reports int
	final, err := c.Find(ctx, cluster.FindOptions{Prefix: "/a/", Text: "v-3", Values: true, PageSize: 7}, func(p cluster.FindProgress) {
		reports++
		for _, m := range p.Matches {
			got = append(got, m.Key)
		}
	})
	if err != nil || strings.Join(got, " ") != strings.Join(want, " ") || final.Scanned != 100 || !final.Finished || reports != 15 {
		t.Errorf("3.4 find: %+v, %v, %d reports\ngot  %q\nwant %q", final, err, reports, got, want)
	}
	cctx, cancel := context.WithCancel(ctx)
	final, err = c.Find(cctx, cluster.FindOptions{Prefix: "/a/", Text: "k", PageSize: 10}, func(cluster.FindProgress) { cancel() })
	if err == nil || final.Scanned != 10 || final.Finished {
		t.Errorf("3.4 cancelled find: %+v, %v; want 10 scanned, context canceled", final, err)
	}
}
