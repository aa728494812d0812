package decode

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// jsonToYAML writes a JSON document as block-style YAML, streaming its tokens: keys keep their
// order (a Kubernetes object reads apiVersion, kind, metadata, spec, status) and memory stays
// linear. sigs.k8s.io/yaml's JSONToYAML builds a tree of the whole document twice: 675 MB
// allocated for a 1.5 MiB value, which took the console past 500 MB of RSS.
func jsonToYAML(v []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(v))
	dec.UseNumber()
	w := &yamlWriter{dec: dec}
	w.out.Grow(len(v) + len(v)/2)
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if err := w.value(tok, 0, ""); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("more than one JSON value")
	}
	return w.out.Bytes(), nil
}

type yamlWriter struct {
	dec *json.Decoder
	out bytes.Buffer
}

// value writes the value starting with tok. lead is what goes before it on its line ("key:"
// or "-"); a nested collection starts on the next line indented by indent.
func (w *yamlWriter) value(tok json.Token, indent int, lead string) error {
	switch t := tok.(type) {
	case json.Delim:
		if !w.dec.More() {
			w.line(lead, map[json.Delim]string{'{': "{}", '[': "[]"}[t])
			_, err := w.dec.Token() // the closing delimiter
			return err
		}
		if lead != "" {
			w.out.WriteString(lead + "\n")
		}
		if t == '{' {
			return w.object(indent)
		}
		return w.array(indent)
	case string:
		if literalOK(t) {
			w.literal(lead, t, indent)
			return nil
		}
		w.line(lead, scalar(tok))
	default:
		w.line(lead, scalar(tok))
	}
	return nil
}

// literalOK: a multi-line string reads best as a literal block ("|"), as kubectl shows a
// ConfigMap's files; strings a block would not give back exactly stay quoted.
func literalOK(s string) bool {
	if !strings.Contains(strings.TrimSuffix(s, "\n"), "\n") || strings.HasSuffix(s, "\n\n") ||
		s[0] == ' ' || s[0] == '\t' || s[0] == '\n' {
		return false
	}
	for _, r := range s {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f || r == '\u2028' || r == '\u2029' || r == 0xfeff || r == 0x85 {
			return false
		}
	}
	return true
}

// literal writes s as a literal block under lead, its lines indented by indent.
func (w *yamlWriter) literal(lead, s string, indent int) {
	chomp := "-"
	if strings.HasSuffix(s, "\n") {
		chomp, s = "", s[:len(s)-1]
	}
	if lead != "" {
		w.out.WriteString(lead + " ")
	}
	w.out.WriteString("|" + chomp + "\n")
	pad := strings.Repeat(" ", indent)
	for l := range strings.SplitSeq(s, "\n") {
		if l != "" {
			w.out.WriteString(pad)
		}
		w.out.WriteString(l + "\n")
	}
}

func (w *yamlWriter) line(lead, s string) {
	if lead != "" {
		w.out.WriteString(lead + " ")
	}
	w.out.WriteString(s + "\n")
}

func (w *yamlWriter) object(indent int) error {
	pad := strings.Repeat(" ", indent)
	for w.dec.More() {
		kt, err := w.dec.Token()
		if err != nil {
			return err
		}
		k, ok := kt.(string)
		if !ok {
			return fmt.Errorf("object key %v is not a string", kt)
		}
		vt, err := w.dec.Token()
		if err != nil {
			return err
		}
		// A list under a key is indented like the key (the usual Kubernetes style).
		child := indent + 2
		if d, ok := vt.(json.Delim); ok && d == '[' {
			child = indent
		}
		w.out.WriteString(pad)
		if err := w.value(vt, child, quoteYAML(k)+":"); err != nil {
			return err
		}
	}
	_, err := w.dec.Token()
	return err
}

func (w *yamlWriter) array(indent int) error {
	pad := strings.Repeat(" ", indent)
	for w.dec.More() {
		vt, err := w.dec.Token()
		if err != nil {
			return err
		}
		if d, ok := vt.(json.Delim); ok && d == '{' && w.dec.More() {
			// "- key: v" with the object's other keys under the first one.
			var sub yamlWriter
			sub.dec = w.dec
			if err := sub.object(indent + 2); err != nil {
				return err
			}
			item := sub.out.Bytes()
			w.out.WriteString(pad + "- ")
			w.out.Write(item[indent+2:])
			continue
		}
		w.out.WriteString(pad)
		if err := w.value(vt, indent+2, "-"); err != nil {
			return err
		}
	}
	_, err := w.dec.Token()
	return err
}

// scalar writes a JSON scalar as YAML.
func scalar(tok json.Token) string {
	switch t := tok.(type) {
	case nil:
		return "null"
	case bool:
		if t {
			return "true"
		}
		return "false"
	case json.Number:
		return t.String()
	case string:
		return quoteYAML(t)
	}
	return fmt.Sprint(tok)
}

// quoteYAML leaves a string plain when YAML reads it back as the same string, and quotes it
// (JSON's double quotes are valid YAML) when it would read as something else: a number, a
// boolean, null, or text with YAML syntax in it.
func quoteYAML(s string) string {
	if s == "" || plainUnsafe(s) {
		b, _ := json.Marshal(s)
		return string(b)
	}
	return s
}

func plainUnsafe(s string) bool {
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", ".inf", "-.inf", ".nan":
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' || strings.IndexByte("-?:,[]{}#&*!|>'\"%@`.+0123456789", s[0]) >= 0 {
		return true
	}
	if strings.Contains(s, ": ") || strings.Contains(s, " #") || strings.HasSuffix(s, ":") {
		return true
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029' || r == 0xfeff {
			return true
		}
	}
	return false
}
