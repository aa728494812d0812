package decode

import (
	"testing"
	"unicode"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// hostile are characters a value may hold to make text on screen read differently from its
// bytes, or to drive the terminal: a bidi override and isolates, the Arabic letter mark, a
// zero-width space, a line separator, ESC.
const hostile = "a\u202eb\u2066c\u2069d\u061ce\u200bf\u2028g\x1b[31mh"

// TestRenderingsEscapeBidiAndInvisible: every rendering of a value — text, JSON, YAML, JSON shown
// as YAML, a Kubernetes object as YAML, hex — shows no bidi, format, separator or control
// character raw.
func TestRenderingsEscapeBidiAndInvisible(t *testing.T) {
	pod := &corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Name: "p" + hostile, Namespace: "default", Labels: map[string]string{"l": hostile}}}
	values := map[string][]byte{
		"text": []byte("line one " + hostile + "\nline two"),
		"json": []byte(`{"name": "` + "a\u202eb\u2066c\u2069d\u061ce\u200bf\u2028g" + `", "n": 1}`),
		"yaml": []byte("name: " + "a\u202eb\u200bc" + "\nother: x\n"),
		"k8s":  encodeK8s(t, pod, corev1.AddToScheme),
	}
	for name, v := range values {
		for _, r := range Detect(v) {
			doc := Render(v, r)
			for i := 0; i < doc.Len(); i++ {
				for _, tok := range doc.Line(i) {
					for _, c := range tok.Text {
						if c < 0x20 || c == 0x7f || c >= 0x80 && c < 0xa0 || unicode.Is(unicode.Cf, c) || c == 0x2028 || c == 0x2029 {
							t.Fatalf("%s rendered as %s: line %d holds raw %U: %q", name, r, i, c, doc.Line(i).String())
						}
					}
				}
			}
			for _, n := range doc.Notes {
				for _, c := range n {
					if unicode.Is(unicode.Cf, c) || c < 0x20 {
						t.Fatalf("%s rendered as %s: note holds raw %U: %q", name, r, c, n)
					}
				}
			}
		}
	}
}
