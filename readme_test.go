package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// readmePictures are the README's captures of each view at 100x30: each is a golden screen its
// view's own test compares with what the view draws, so a capture that no longer matches the
// program fails there, and one the README no longer matches fails here.
var readmePictures = []struct{ name, golden string }{
	{"keys", "views/keys/testdata/TestGoldenInspector/inspector_pod_100x30.golden"},
	{"watch", "views/watch/testdata/TestGoldenWatch/events_100x30.golden"},
	{"cluster", "views/clusterview/testdata/TestGoldenCluster/table_100x30.golden"},
	{"snapshots", "views/snapshots/testdata/TestGoldenPlan/plan_100x30.golden"},
}

// TestREADMEPictures: every picture block in README.md is its golden screen as text (colours
// and attributes dropped, trailing blanks trimmed). scripts/readme-pictures.sh regenerates the
// goldens and rewrites the blocks (ETCDECK_UPDATE_README=1 makes this test write them).
func TestREADMEPictures(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	for _, p := range readmePictures {
		raw, err := os.ReadFile(filepath.FromSlash(p.golden))
		if err != nil {
			t.Fatalf("picture %s: %v", p.name, err)
		}
		want := pictureBlock(p.name, pictureText(string(raw)))
		re := regexp.MustCompile("(?s)" + regexp.QuoteMeta(pictureStart(p.name)) + ".*?" + regexp.QuoteMeta(pictureEnd))
		got := re.FindString(text)
		switch {
		case got == "":
			t.Errorf("README.md has no picture %q (%s ... %s): run scripts/readme-pictures.sh", p.name, pictureStart(p.name), pictureEnd)
		case got != want && os.Getenv("ETCDECK_UPDATE_README") == "1":
			text = strings.Replace(text, got, want, 1)
		case got != want:
			t.Errorf("README.md's picture %q is not what the view draws (%s): run scripts/readme-pictures.sh", p.name, p.golden)
		}
	}
	if os.Getenv("ETCDECK_UPDATE_README") == "1" && text != string(readme) {
		if err := os.WriteFile("README.md", []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// ansiSeq matches the SGR sequences of the ASCII colour profile the goldens are drawn with.
var ansiSeq = regexp.MustCompile("\x1b\\[[0-9;]*m")

// pictureText is a golden screen as plain text: no escape sequences, no trailing blanks.
func pictureText(golden string) string {
	lines := strings.Split(ansiSeq.ReplaceAllString(golden, ""), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n")
}

const pictureEnd = "<!-- /picture -->"

func pictureStart(name string) string {
	return fmt.Sprintf("<!-- picture: %s (generated: scripts/readme-pictures.sh) -->", name)
}

func pictureBlock(name, text string) string {
	return pictureStart(name) + "\n```text\n" + text + "\n```\n" + pictureEnd
}
