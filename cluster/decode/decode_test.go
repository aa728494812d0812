package decode

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer/protobuf"
)

// encodeK8s encodes obj as the apiserver stores it: the protobuf serializer of a scheme holding
// its kind, with the k8s\x00 prefix and the runtime.Unknown envelope.
func encodeK8s(t testing.TB, obj runtime.Object, add func(*runtime.Scheme) error) []byte {
	t.Helper()
	s := runtime.NewScheme()
	if err := add(s); err != nil {
		t.Fatal(err)
	}
	gvks, _, err := s.ObjectKinds(obj)
	if err != nil {
		t.Fatal(err)
	}
	obj.GetObjectKind().SetGroupVersionKind(gvks[0])
	var b bytes.Buffer
	if err := protobuf.NewSerializer(s, s).Encode(obj, &b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func docText(d *Doc) string {
	var b strings.Builder
	for _, n := range d.Notes {
		b.WriteString("# " + n + "\n")
	}
	for i := range d.Len() {
		b.WriteString(d.Line(i).String() + "\n")
	}
	return b.String()
}

func testPod() *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web-0", Namespace: "shop", Labels: map[string]string{"app": "web"}},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "nginx", Image: "nginx:1.27"}}},
	}
}

func TestKubernetesObjects(t *testing.T) {
	replicas := int32(3)
	cases := []struct {
		name string
		obj  runtime.Object
		add  func(*runtime.Scheme) error
		want []string
	}{
		{"pod", testPod(), corev1.AddToScheme, []string{"apiVersion: v1", "kind: Pod", "name: web-0", "namespace: shop", "image: nginx:1.27"}},
		{"deployment", &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "api"}, Spec: appsv1.DeploymentSpec{Replicas: &replicas}},
			appsv1.AddToScheme, []string{"apiVersion: apps/v1", "kind: Deployment", "name: api", "replicas: 3"}},
		{"secret", &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "db"}, Data: map[string][]byte{"password": []byte("hunter2")}},
			corev1.AddToScheme, []string{"kind: Secret", "name: db", "password: aHVudGVyMg=="}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := encodeK8s(t, c.obj, c.add)
			if got := Detect(v); got[0] != Kubernetes {
				t.Fatalf("Detect = %v, want Kubernetes first", got)
			}
			d := Render(v, Kubernetes)
			if d.Rendering != Kubernetes {
				t.Fatalf("rendered as %v, notes %q", d.Rendering, d.Notes)
			}
			text := docText(d)
			for _, w := range c.want {
				if !strings.Contains(text, w) {
					t.Errorf("missing %q in:\n%s", w, text)
				}
			}
		})
	}
}

func TestKubernetesUnknownKind(t *testing.T) {
	gv := schema.GroupVersion{Group: "example.com", Version: "v1"}
	// A ConfigMap's protobuf body under another group/kind is what a kind unknown to us looks like.
	add := func(s *runtime.Scheme) error {
		s.AddKnownTypeWithName(gv.WithKind("Widget"), &corev1.ConfigMap{})
		return nil
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "w"}}
	v := encodeK8s(t, cm, add)
	d := Render(v, Kubernetes)
	if d.Rendering != Hex {
		t.Fatalf("unknown kind rendered as %v, want hex", d.Rendering)
	}
	text := docText(d)
	for _, w := range []string{"example.com/v1 Widget", "not one etcdeck knows", "00000000  6b 38 73 00"} {
		if !strings.Contains(text, w) {
			t.Errorf("missing %q in:\n%s", w, text)
		}
	}
}

func TestEncrypted(t *testing.T) {
	v := append([]byte("k8s:enc:aescbc:v1:key1:"), 0x01, 0xfe, 0x80, 'x')
	if got := Detect(v); got[0] != Encrypted {
		t.Fatalf("Detect = %v", got)
	}
	d := Render(v, Encrypted)
	text := docText(d)
	for _, w := range []string{"provider aescbc v1", `key "key1"`, "00000000  01 fe 80 78"} {
		if !strings.Contains(text, w) {
			t.Errorf("missing %q in:\n%s", w, text)
		}
	}
	kms := []byte("k8s:enc:kms:v2:vault-plugin:\x0a\x03abc")
	e, ok := ParseEncrypted(kms)
	if !ok || e.Provider != "kms" || e.Version != "v2" || e.KeyName != "vault-plugin" || string(e.Ciphertext) != "\x0a\x03abc" {
		t.Errorf("ParseEncrypted(kms v2) = %+v, %v", e, ok)
	}
	if _, ok := ParseEncrypted([]byte("k8s:enc:aescbc")); ok {
		t.Error("an incomplete prefix parsed")
	}
	if d := Render([]byte("k8s:enc:aescbc"), Encrypted); d.Rendering != Hex || len(d.Notes) == 0 {
		t.Errorf("incomplete prefix: %v %q", d.Rendering, d.Notes)
	}
}

func TestDetect(t *testing.T) {
	cases := []struct {
		name string
		v    string
		want []Rendering
	}{
		{"empty", "", []Rendering{Text, Hex}},
		{"word", "hello", []Rendering{Text, Hex}},
		{"number is text", "42", []Rendering{Text, Hex}},
		{"json object", `{"a":1,"b":[true,null]}`, []Rendering{JSON, YAML, Text, Hex}},
		{"json array with space", " [1, 2]\n", []Rendering{JSON, YAML, Text, Hex}},
		{"broken json is text", `{"a":`, []Rendering{Text, Hex}},
		{"yaml", "apiVersion: v1\nkind: ConfigMap\n", []Rendering{YAML, Text, Hex}},
		{"yaml list", "# c\n- a\n- b\n", []Rendering{YAML, Text, Hex}},
		{"one key is text", "note: remember\n", []Rendering{Text, Hex}},
		{"url is text", "http://x:80/a\nand more", []Rendering{Text, Hex}},
		{"binary", "\x00\x01\x02\x03", []Rendering{Hex}},
		{"invalid utf8", "caf\xe9", []Rendering{Hex}},
		{"k8s proto", "k8s\x00\x0a\x00", []Rendering{Kubernetes, Hex}},
		{"encrypted", "k8s:enc:secretbox:v1:k:abc", []Rendering{Encrypted, Hex}},
		{"utf8 text", "héllo wörld ✓", []Rendering{Text, Hex}},
	}
	for _, c := range cases {
		if got := Detect([]byte(c.v)); !slices.Equal(got, c.want) {
			t.Errorf("%s: Detect(%q) = %v, want %v", c.name, c.v, got, c.want)
		}
	}
}

func TestRenderings(t *testing.T) {
	v := []byte(`{"name":"a\tb","n":1.5,"ok":true,"list":[null]}`)
	d := Render(v, JSON)
	want := "{\n  \"name\": \"a\\tb\",\n  \"n\": 1.5,\n  \"ok\": true,\n  \"list\": [\n    null\n  ]\n}\n"
	if got := docText(d); got != want {
		t.Errorf("JSON:\n%s\nwant\n%s", got, want)
	}
	if l := d.Line(1); len(l) < 4 || l[1].Kind != Key || l[2].Kind != Punct || l[4].Kind != String {
		t.Errorf("JSON line 1 tokens: %+v", l)
	}
	if l := d.Line(3); l[len(l)-2].Kind != Literal {
		t.Errorf("JSON line 3 tokens: %+v", l)
	}
	y := docText(Render(v, YAML))
	if !strings.Contains(y, "list:\n- null\n") || !strings.Contains(y, `"n": 1.5`) {
		t.Errorf("YAML of JSON:\n%s", y)
	}
	h := Render([]byte("k8s\x00 0123456789abcdefXYZ"), Hex)
	wantHex := "00000000  6b 38 73 00 20 30 31 32  33 34 35 36 37 38 39 61  |k8s. 0123456789a|\n" +
		"00000010  62 63 64 65 66 58 59 5a                           |bcdefXYZ|\n"
	if got := docText(h); got != wantHex {
		t.Errorf("hex:\n%q\nwant\n%q", got, wantHex)
	}
	if got := h.Text(); got != wantHex {
		t.Errorf("hex Text() = %q", got)
	}
	esc := docText(Render([]byte("a\x1b[31mred\tb\n"), Text))
	if esc != "a\\x1b[31mred    b\n" {
		t.Errorf("control bytes must be escaped: %q", esc)
	}
	long := strings.Repeat("é", 1500) // 3,000 bytes on one line
	ld := Render([]byte(long), Text)
	if ld.Len() != 3 {
		t.Errorf("a 3,000-byte line: %d lines, want 3 (cut at %d bytes)", ld.Len(), maxLine)
	}
	joined := ""
	for i := range ld.Len() {
		joined += ld.Line(i).String()
	}
	if joined != long {
		t.Error("cutting a long line lost or split a rune")
	}
	if d := Render([]byte("not json"), JSON); d.Rendering != Text || len(d.Notes) == 0 {
		t.Errorf("JSON of text: %v %q", d.Rendering, d.Notes)
	}
	crd := Render([]byte(`{"apiVersion":"example.com/v1","kind":"Widget"}`), JSON)
	if len(crd.Notes) == 0 || !strings.Contains(crd.Notes[0], "example.com/v1 Widget") {
		t.Errorf("CRD JSON notes: %q", crd.Notes)
	}
}

func TestYAMLTokens(t *testing.T) {
	cases := []struct {
		line string
		want []TokenKind
	}{
		{"  name: web # the name", []TokenKind{Plain, Key, Punct, Plain, String, Comment}},
		{"- image: nginx", []TokenKind{Punct, Plain, Key, Punct, Plain, String}},
		{"replicas: 3", []TokenKind{Key, Punct, Plain, Number}},
		{"# only a comment", []TokenKind{Comment}},
		{`"a b": true`, []TokenKind{Key, Punct, Plain, Literal}},
		{"spec:", []TokenKind{Key, Punct}},
	}
	for _, c := range cases {
		l := tokYAML(c.line)
		var kinds []TokenKind
		for _, tk := range l {
			kinds = append(kinds, tk.Kind)
		}
		if !slices.Equal(kinds, c.want) || l.String() != c.line {
			t.Errorf("tokYAML(%q) = %+v, want kinds %v", c.line, l, c.want)
		}
	}
}

func FuzzRender(f *testing.F) {
	for _, s := range []string{"", "{}", `{"a":[1,"x"]}`, "a: b\nc: d\n", "k8s\x00\x0a\x02v1", "k8s:enc:a:b:c:d", "\xff\xfe", "\t\x1b"} {
		f.Add([]byte(s))
	}
	f.Add(encodeK8s(f, testPod(), corev1.AddToScheme))
	f.Fuzz(func(t *testing.T, v []byte) {
		rs := Detect(v)
		if len(rs) == 0 || rs[len(rs)-1] != Hex {
			t.Fatalf("Detect(%q) = %v: hex must always apply, last", v, rs)
		}
		for _, r := range []Rendering{Text, JSON, YAML, Hex, Kubernetes, Encrypted} {
			d := Render(v, r)
			for _, n := range d.Notes {
				if strings.ContainsFunc(n, func(c rune) bool { return c < 0x20 || c == 0x7f }) {
					t.Fatalf("%v note holds a control byte: %q", r, n)
				}
			}
			for i := -1; i <= d.Len(); i++ {
				for _, tk := range d.Line(i) {
					for _, c := range []byte(tk.Text) {
						if c < 0x20 || c == 0x7f {
							t.Fatalf("%v line %d holds control byte %#x: %q", r, i, c, tk.Text)
						}
					}
				}
			}
			_ = d.Text()
		}
	})
}

func BenchmarkRender1_5MiB(b *testing.B) {
	var obj bytes.Buffer
	obj.WriteString(`{"items":[`)
	for i := 0; obj.Len() < 1536*1024-200; i++ {
		if i > 0 {
			obj.WriteByte(',')
		}
		obj.WriteString(`{"name":"item-`)
		obj.WriteString(strings.Repeat("x", i%40))
		obj.WriteString(`","n":12345,"ok":true}`)
	}
	obj.WriteString(`]}`)
	values := map[string][]byte{"json": obj.Bytes(), "binary": bytes.Repeat([]byte{0, 1, 2, 0xff}, 1536*1024/4)}
	for name, v := range values {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(v)))
			for b.Loop() {
				d := Render(v, Detect(v)[0])
				for i := range min(d.Len(), 40) { // the first screen
					_ = d.Line(i)
				}
			}
		})
	}
}

func TestDiff(t *testing.T) {
	d := Diff("rev 5", "rev 9", []byte(`{"a":1,"b":2}`), []byte(`{"a":1,"b":3}`))
	want := "--- rev 5\n+++ rev 9\n@@ -1,4 +1,4 @@\n {\n   \"a\": 1,\n-  \"b\": 2\n+  \"b\": 3\n }\n"
	if got := docText(d); got != "# diff as json\n"+want {
		t.Errorf("JSON diff:\n%s\nwant\n%s", got, want)
	}
	if k := d.Line(5)[0].Kind; k != Removed {
		t.Errorf("line 5 kind %v, want Removed", k)
	}
	if k := d.Line(6)[0].Kind; k != Added {
		t.Errorf("line 6 kind %v, want Added", k)
	}
	same := Diff("a", "b", []byte("x"), []byte("x"))
	if got := docText(same); got != "no change in the value\n" {
		t.Errorf("equal values: %q", got)
	}
	pod := encodeK8s(t, testPod(), corev1.AddToScheme)
	p2 := testPod()
	p2.Spec.Containers[0].Image = "nginx:1.28"
	pod2 := encodeK8s(t, p2, corev1.AddToScheme)
	kd := docText(Diff("old", "new", pod, pod2))
	if !strings.Contains(kd, "-    image: nginx:1.27\n+    image: nginx:1.28\n") {
		t.Errorf("Kubernetes diff is not of the YAML:\n%s", kd)
	}
	bd := docText(Diff("old", "new", []byte{0, 1, 2}, []byte{0, 1, 3}))
	if !strings.Contains(bd, "-00000000  00 01 02") || !strings.Contains(bd, "+00000000  00 01 03") {
		t.Errorf("binary diff is not of the hex dump:\n%s", bd)
	}
}

func TestHexText(t *testing.T) {
	v := []byte("k8s\x00 0123456789abcdefXYZ")
	text := HexText(v)
	if !strings.HasPrefix(text, "6b 38 73 00 20 30 31 32 33 34 35 36 37 38 39 61\n62 63") {
		t.Errorf("HexText = %q", text)
	}
	back, err := ParseHex("  " + strings.ToUpper(text) + "\n")
	if err != nil || !bytes.Equal(back, v) {
		t.Errorf("ParseHex(HexText) = %q, %v", back, err)
	}
	if _, err := ParseHex("6b 3"); err == nil {
		t.Error("odd digits accepted")
	}
	if _, err := ParseHex("6b\nzz"); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("bad digit: %v", err)
	}
	if b, err := ParseHex(HexText(nil)); err != nil || len(b) != 0 {
		t.Errorf("empty: %q %v", b, err)
	}
}

// BenchmarkDiff1_5MiB: two 1.5 MiB JSON values are not diffed (the place they differ is said);
// two of MaxDiff bytes differing in one field are, as the history does for a large value edited once.
func BenchmarkDiff1_5MiB(b *testing.B) {
	var a strings.Builder
	a.WriteString(`{"items":[`)
	for i := 0; a.Len() < 1536*1024-200; i++ {
		if i > 0 {
			a.WriteByte(',')
		}
		fmt.Fprintf(&a, `{"name":"item-%d","n":12345}`, i)
	}
	a.WriteString(`],"v":1}`)
	old := []byte(a.String())
	new := bytes.Replace(old, []byte(`"item-500"`), []byte(`"item-five-hundred"`), 1)
	new = bytes.Replace(new, []byte(`"v":1}`), []byte(`"v":2}`), 1)
	if d := docText(Diff("old", "new", old, new)); !strings.Contains(d, "too large to diff") {
		b.Fatalf("a 1.5 MiB diff: %s", d)
	}
	old, new = old[:MaxDiff], new[:MaxDiff]
	for b.Loop() {
		d := Diff("old", "new", old, new)
		if d.Len() < 8 {
			b.Fatalf("diff of %d lines", d.Len())
		}
	}
}

func TestObjectTime(t *testing.T) {
	created := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	updated := metav1.NewTime(created.Add(90 * time.Minute))
	pod := testPod()
	pod.CreationTimestamp = metav1.NewTime(created)
	if got, ok := ObjectTime(encodeK8s(t, pod, corev1.AddToScheme)); !ok || !got.Equal(created) {
		t.Errorf("a created pod: %v %v, want its creationTimestamp", got, ok)
	}
	earlier := metav1.NewTime(created.Add(time.Minute))
	pod.ManagedFields = []metav1.ManagedFieldsEntry{{Manager: "kubelet", Time: &updated}, {Manager: "kubectl", Time: &earlier}}
	if got, ok := ObjectTime(encodeK8s(t, pod, corev1.AddToScheme)); !ok || !got.Equal(updated.Time) {
		t.Errorf("an updated pod: %v %v, want the latest managedFields time", got, ok)
	}
	crd := []byte(`{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w","creationTimestamp":"2026-11-30T09:00:00Z"}}`)
	if got, ok := ObjectTime(crd); !ok || !got.Equal(created) {
		t.Errorf("a custom resource: %v %v", got, ok)
	}
	for _, v := range []string{"plain text", `{"a":1}`, "k8s\x00garbage", `{"apiVersion":"v1","kind":"X","metadata":{}}`} {
		if got, ok := ObjectTime([]byte(v)); ok {
			t.Errorf("ObjectTime(%q) = %v", v, got)
		}
	}
}
