package snapshots

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/etcdeck/etcdeck/cluster/backup"
	"github.com/etcdeck/etcdeck/views/common"
)

// putBig writes n values of 1 MiB: a database whose save takes long enough to be interrupted
// after its first bytes arrived.
func (f *flow) putBig(n int) {
	val := strings.Repeat("v", 1<<20)
	for i := 0; i < n; i++ {
		if _, err := f.cli.Put(context.Background(), fmt.Sprintf("/big/%04d", i), val); err != nil {
			f.t.Fatal(err)
		}
	}
}

// sawBytes is true once the save reported bytes received (not only that it began).
func (f *flow) sawBytes() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, msg := range f.seen {
		if p, ok := msg.(common.TaskProgressMsg); ok && p.ID == saveTaskID && strings.Contains(p.Label, "MiB of") {
			return true
		}
	}
	return false
}

// noBackupLeft fails when the backup directory holds anything (a partial file, a temp file).
func (f *flow) noBackupLeft(when string) {
	f.t.Helper()
	if es, _ := os.ReadDir(f.dir); len(es) != 0 {
		names := make([]string, len(es))
		for i, e := range es {
			names[i] = e.Name()
		}
		f.t.Fatalf("%s, the backup dir holds %v", when, names)
	}
}

// TestSaveCancelledMidway: esc after the save's first bytes arrived cancels the stream from the
// real member; the result says cancelled and no partial backup file is left.
func TestSaveCancelledMidway(t *testing.T) {
	f := newFlow(t, backup.DefaultRetention())
	f.putBig(96)
	f.d.Send(common.SaveSnapshotMsg{})
	f.until("the first bytes of the save", f.sawBytes)
	f.d.Press("esc")
	res := f.done()
	if !errors.Is(res.Err, common.ErrCancelled) {
		t.Fatalf("save cancelled mid-way ended with %+v", res)
	}
	if f.m.save.Running() {
		t.Fatal("the save still runs after its result")
	}
	f.noBackupLeft("after the cancel")
}

// TestSaveResultAfterSessionEnded: the session ends while a save streams (the console quit, a
// reconnect): the save's context ends with it, its result is dropped (the status bar is told
// the session ended, nothing is listed or reported as saved) and no file is left.
func TestSaveResultAfterSessionEnded(t *testing.T) {
	f := newFlow(t, backup.DefaultRetention())
	f.putBig(96)
	f.d.Send(common.SaveSnapshotMsg{})
	f.until("the first bytes of the save", f.sawBytes)
	f.s.End()
	res := f.done()
	if !errors.Is(res.Err, common.ErrSessionEnded) || res.Result != "" {
		t.Fatalf("a save of an ended session ended with %+v", res)
	}
	f.noBackupLeft("after the session ended")
}
