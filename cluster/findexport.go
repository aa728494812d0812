package cluster

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// FindExport is what `:find`'s export (x) writes: the search, where and at which revision it
// ran, how far it came, and the matches kept.
type FindExport struct {
	Prefix, Text string
	Rev          int64
	Scanned      int64
	Found        int
	Capped       bool
	Finished     bool
	Matches      []FindMatch
}

// ExportFind writes e to a new file in dir ("" is the current directory) named for now, never
// overwriting one, and returns its path. It is a write like any other: refused in read-only mode
// and audited (the prefix and the file, never a value). Each match is one line "key<TAB>mod
// revision<TAB>matching line", the key and the line escaped by the one rule, so the file can be
// cat to a terminal and a tab inside a key or value can never shift a column.
func (c *Client) ExportFind(ctx context.Context, dir string, e FindExport, now time.Time) (string, error) {
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return "", fmt.Errorf("find export: the current directory: %w", err)
		}
		dir = wd
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs // the ✓ line and the audit name the whole path
	}
	var path string
	_, err := c.write(ctx, AuditEntry{Action: "find-export", Key: EscapeKey(e.Prefix), Target: dir},
		func(_ context.Context, a *AuditEntry) (int64, error) {
			var err error
			path, err = writeFindExport(dir, e, now)
			if path != "" {
				a.Target = path
			}
			return 0, err
		})
	return path, err
}

func writeFindExport(dir string, e FindExport, now time.Time) (string, error) {
	base := "etcdeck-find-" + now.Format("20060102-150405")
	for i := 1; ; i++ {
		name := base + ".tsv"
		if i > 1 {
			name = fmt.Sprintf("%s-%d.tsv", base, i)
		}
		path := filepath.Join(dir, name)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) && i < 100 {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("find export: %w", err)
		}
		_, werr := f.WriteString(findExportText(e))
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return path, fmt.Errorf("find export to %s: %w", path, werr)
		}
		return path, nil
	}
}

// findExportText is the export file's text: a header of two comment lines, then the matches.
func findExportText(e FindExport) string {
	var b strings.Builder
	state := "finished"
	if !e.Finished {
		state = "stopped early"
	}
	kept := strconv.Itoa(len(e.Matches)) + " matches"
	if e.Capped {
		kept += fmt.Sprintf(" kept of %d found (the cap)", e.Found)
	}
	fmt.Fprintf(&b, "# etcdeck find %q under %s at revision %d: %d keys scanned, %s, %s\n",
		EscapeText(e.Text), EscapeKey(e.Prefix), e.Rev, e.Scanned, kept, state)
	b.WriteString("# key\tmod_revision\tmatching line\n")
	for _, m := range e.Matches {
		b.WriteString(EscapeKey(m.Key))
		b.WriteByte('\t')
		b.WriteString(strconv.FormatInt(m.ModRev, 10))
		b.WriteByte('\t')
		b.WriteString(EscapeText(m.Line))
		b.WriteByte('\n')
	}
	return b.String()
}
