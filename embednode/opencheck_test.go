package embednode_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/embednode"
)

// TestOpenSnapshotRefusesCorruptFiles: `o` checks the sha256 trailer beside the restore and the
// member's start, and its verdict is the answer: a corrupt file is refused as a restore refuses
// it, even when the member had started on the copy, and no directory or process is left.
func TestOpenSnapshotRefusesCorruptFiles(t *testing.T) {
	s := saveSnapshot(t, 20)
	data, err := os.ReadFile(s.path)
	if err != nil {
		t.Fatal(err)
	}
	// A flipped bit in the key bucket's last leaf (a value), where bbolt reads the file
	// without tripping: the restore and the member succeed, only the hash tells.
	value := strings.LastIndex(string(data), "/registry/")
	if value < 0 {
		t.Fatal("no key in the snapshot")
	}
	flipped := append([]byte(nil), data...)
	flipped[len(flipped)-32-1] ^= 0x01 // the db's last byte, before the trailer
	inValue := append([]byte(nil), data...)
	inValue[value+len("/registry/")] ^= 0x01
	for _, tc := range []struct {
		name    string
		content []byte
		want    error
	}{
		{"bit flip at the end", flipped, embednode.ErrHashMismatch},
		{"bit flip in a key", inValue, embednode.ErrHashMismatch},
		{"truncated", data[:len(data)-1000], embednode.ErrTruncated},
		{"trailer cut off", data[:len(data)-32], embednode.ErrNoHash},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "bad.db")
			if err := os.WriteFile(file, tc.content, 0o600); err != nil {
				t.Fatal(err)
			}
			root := t.TempDir()
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			o, err := embednode.OpenSnapshot(ctx, etcdeckBin, file, root, nil, nil)
			if err == nil {
				o.Close()
				t.Fatal("opened a corrupt file")
			}
			if !errors.Is(err, tc.want) || strings.Contains(err.Error(), file) {
				t.Fatalf("err = %v, want %v not naming the file", err, tc.want)
			}
			if got := leftovers(t, root); len(got) != 0 {
				t.Fatalf("left behind: %v", got)
			}
			if pids := processesNaming(t, root); len(pids) != 0 {
				t.Fatalf("processes still run on %s: %v", root, pids)
			}
		})
	}
}

// processesNaming lists the processes whose command line names path (a member's --data-dir).
func processesNaming(t *testing.T, path string) []string {
	t.Helper()
	cmdlines, err := filepath.Glob("/proc/[0-9]*/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range cmdlines {
		b, err := os.ReadFile(f)
		if err == nil && strings.Contains(string(b), path) {
			out = append(out, filepath.Base(filepath.Dir(f)))
		}
	}
	return out
}
