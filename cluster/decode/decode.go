// Package decode detects what an etcd value holds and renders it as lines for the inspector:
// UTF-8 text, JSON (pretty), YAML, a hex dump, Kubernetes protobuf objects decoded to YAML, and
// values encrypted at rest by Kubernetes. It is its own package because it alone needs
// k8s.io/api and k8s.io/apimachinery, which build slowly: nothing else pays for them.
//
// Rendering is lazy: a Doc knows its line count and renders one line when asked, so a 1.5 MiB
// value costs the view only the lines on screen. It never imports Bubble Tea: tokens carry a
// kind and the view picks the colour.
package decode

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// Rendering is one way of showing a value.
type Rendering int

const (
	// Text shows the value as UTF-8 text.
	Text Rendering = iota
	// JSON shows a JSON object or array, pretty-printed.
	JSON
	// YAML shows YAML as it is, or JSON converted to YAML.
	YAML
	// Hex is the classic dump: offset, 16 bytes in hex, the same bytes as ASCII.
	Hex
	// Kubernetes is a Kubernetes protobuf object decoded to YAML.
	Kubernetes
	// Encrypted is a value encrypted at rest by the apiserver: its provider and key name, then
	// the ciphertext in hex.
	Encrypted
)

// String names the rendering as the inspector's title shows it.
func (r Rendering) String() string {
	switch r {
	case JSON:
		return "json"
	case YAML:
		return "yaml"
	case Hex:
		return "hex"
	case Kubernetes:
		return "kubernetes"
	case Encrypted:
		return "encrypted"
	}
	return "text"
}

// Detect returns the renderings that apply to v, the best first; `v` in the inspector cycles
// through them. Hex always applies and comes last.
func Detect(v []byte) []Rendering {
	switch {
	case bytes.HasPrefix(v, k8sProtoPrefix):
		return []Rendering{Kubernetes, Hex}
	case bytes.HasPrefix(v, []byte(encPrefix)):
		return []Rendering{Encrypted, Hex}
	case isJSON(v):
		return []Rendering{JSON, YAML, Text, Hex}
	case !isText(v):
		return []Rendering{Hex}
	case looksYAML(v):
		return []Rendering{YAML, Text, Hex}
	}
	return []Rendering{Text, Hex}
}

// isJSON is true for a JSON object or array (a bare "3" or "true" reads better as text).
func isJSON(v []byte) bool {
	t := bytes.TrimLeft(v, " \t\r\n")
	return len(t) > 0 && (t[0] == '{' || t[0] == '[') && json.Valid(v)
}

// isText is true for valid UTF-8 with few control bytes (tabs and newlines allowed): a value
// with more than 1 in 32 control runes is shown as hex.
func isText(v []byte) bool {
	if !utf8.Valid(v) {
		return false
	}
	ctl := 0
	for _, b := range v {
		if b < 0x20 && b != '\n' && b != '\t' && b != '\r' || b == 0x7f {
			ctl++
		}
	}
	return ctl*32 <= len(v) && !(ctl > 0 && len(v) < 32)
}

// Render renders v as r. A rendering that does not apply (JSON of text, say) falls back to text
// or hex with a note saying why, so any bytes render.
func Render(v []byte, r Rendering) *Doc {
	d := render(v, r)
	d.exact = d.sameBytes(v)
	for i, n := range d.Notes {
		d.Notes[i] = sanitize(n) // they quote the value's own bytes (an apiVersion, a key name)
	}
	return d
}

func render(v []byte, r Rendering) *Doc {
	switch r {
	case JSON:
		return renderJSON(v)
	case YAML:
		return renderYAML(v)
	case Hex:
		return newHexDoc(v, nil)
	case Kubernetes:
		return renderKubernetes(v)
	case Encrypted:
		return renderEncrypted(v)
	}
	if !utf8.Valid(v) {
		return newHexDoc(v, []string{"not valid UTF-8: shown as hex"})
	}
	return newTextDoc(Text, v, tokText, nil)
}

// renderJSON pretty-prints v with two-space indents; json.Indent keeps every string on one line,
// so each line can be tokenised alone when it is drawn.
func renderJSON(v []byte) *Doc {
	var out bytes.Buffer
	out.Grow(len(v) + len(v)/4)
	if err := json.Indent(&out, bytes.TrimSpace(v), "", "  "); err != nil {
		d := render(v, Text)
		d.Notes = append([]string{"not JSON (" + err.Error() + "): shown as text"}, d.Notes...)
		return d
	}
	var notes []string
	if tm := jsonTypeMeta(v); tm != "" {
		notes = []string{"Kubernetes object stored as JSON: " + tm}
	}
	return newTextDoc(JSON, out.Bytes(), tokJSON, notes)
}

// jsonTypeMeta returns "apiVersion kind" of a JSON object that has both (CRDs and some built-in
// resources are stored as JSON), or "".
func jsonTypeMeta(v []byte) string {
	// Unmarshal scans the whole value (40 ms for 1.5 MiB); the apiserver writes apiVersion and
	// kind first, so a value without both near its start is not a Kubernetes object.
	head := v[:min(len(v), 4096)]
	if !bytes.Contains(head, []byte(`"apiVersion"`)) || !bytes.Contains(head, []byte(`"kind"`)) {
		return ""
	}
	var tm struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
	}
	if json.Unmarshal(v, &tm) != nil || tm.APIVersion == "" || tm.Kind == "" {
		return ""
	}
	return tm.APIVersion + " " + tm.Kind
}
