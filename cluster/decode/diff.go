package decode

import (
	"fmt"
	"strings"

	udiff "github.com/aymanbagabas/go-udiff"
)

// Diff is a unified diff of two values as the inspector shows them: both are rendered the way
// the newer one renders best (so Kubernetes objects diff as YAML, JSON pretty-printed), and
// binary values are diffed as hex dumps. Equal values give a one-line Doc saying so.
func Diff(oldLabel, newLabel string, old, new []byte) *Doc {
	if len(old) > MaxDiff || len(new) > MaxDiff {
		return tooLargeToDiff(old, new)
	}
	r := Detect(new)[0]
	if or := Detect(old)[0]; or != r && (r == Kubernetes || or == Kubernetes || r == Encrypted || or == Encrypted) {
		r = Hex // one decoded, one not: only the bytes compare
	}
	a, b := withNewline(Render(old, r).Text()), withNewline(Render(new, r).Text())
	if a == b {
		return newTextDoc(Text, []byte("no change in the value"), tokText, nil)
	}
	d, err := unified(oldLabel, newLabel, a, b)
	if err != nil {
		return newTextDoc(Text, []byte(err.Error()), tokText, nil)
	}
	doc := newTextDoc(Text, []byte(d), tokDiff, []string{"diff as " + r.String()})
	return doc
}

// MaxDiff is the largest value diffed, in bytes: two 1.5 MiB values took 230 ms and 105 MB to
// diff, for a screen of it.
const MaxDiff = 512 << 10

// tooLargeToDiff says where two large values first differ instead of diffing them.
func tooLargeToDiff(old, new []byte) *Doc {
	i := 0
	for i < len(old) && i < len(new) && old[i] == new[i] {
		i++
	}
	msg := fmt.Sprintf("values of %d and %d bytes are too large to diff here (over %d KiB)", len(old), len(new), MaxDiff>>10)
	switch {
	case len(old) == len(new) && i == len(old):
		msg += ": they are equal"
	default:
		msg += fmt.Sprintf(": they first differ at byte %d (0x%x); enter shows each value", i, i)
	}
	return newTextDoc(Text, []byte(msg), tokText, nil)
}

// unified is udiff.Unified without its log.Fatalf on inconsistent edits (the console must not
// exit over a diff).
func unified(oldLabel, newLabel, a, b string) (string, error) {
	edits := udiff.Lines(a, b)
	d, err := udiff.ToUnified(oldLabel, newLabel, a, edits, udiff.DefaultContextLines)
	if err != nil {
		return "", fmt.Errorf("cannot diff these values: %w", err)
	}
	return d, nil
}

// tokDiff colours one line of a unified diff by its first byte.
func tokDiff(s string) Line {
	switch {
	case strings.HasPrefix(s, "+++") || strings.HasPrefix(s, "---") || strings.HasPrefix(s, "@@"):
		return Line{{s, Hunk}}
	case strings.HasPrefix(s, "+"):
		return Line{{s, Added}}
	case strings.HasPrefix(s, "-"):
		return Line{{s, Removed}}
	}
	return Line{{s, Plain}}
}

// withNewline ends a non-empty text with a newline, so a diff does not report the last line of
// a pretty-printed JSON value as lacking one.
func withNewline(s string) string {
	if s != "" && !strings.HasSuffix(s, "\n") {
		return s + "\n"
	}
	return s
}
