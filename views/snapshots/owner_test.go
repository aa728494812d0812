package snapshots

import (
	"context"
	"testing"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/config"
	"github.com/etcdeck/etcdeck/keymap"
	"github.com/etcdeck/etcdeck/views/common"
	"github.com/etcdeck/etcdeck/views/common/viewtest"
)

// sessionView is the view on a session of its own (no client: nothing is asked of etcd here)
// with the fixture's files listed.
func sessionView(t *testing.T) *Model {
	s := cluster.NewSession(context.Background(), nil, "test", nil)
	t.Cleanup(s.End)
	st := config.Defaults()
	st.BackupDir = "/backups"
	m := New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap(), Settings: st, Session: s})
	m.SetSize(80, 24)
	files, _ := fixture()
	m.Update(listedMsg{sid: s.ID, gen: m.gen, files: files})
	return m
}

// TestAnswersReachOnlyTheirSession: the root gives every message to the views of every session
// on the stack; the delete question answered on one session's view deletes nothing through the
// same view of another session that asked too, and a listing of one session is not applied to
// the other.
func TestAnswersReachOnlyTheirSession(t *testing.T) {
	top, under := sessionView(t), sessionView(t)
	under.Update(viewtest.Key("d")) // asked before the snapshot on top was opened
	top.Update(viewtest.Key("j"))
	_, cmd := top.Update(viewtest.Key("d"))
	if cmd != nil {
		t.Fatal("the question returned a command before its answer")
	}
	_, cmd = top.Update(viewtest.Key("y"))
	answer, ok := cmd().(common.ConfirmMsg)
	if !ok || !answer.Yes || answer.Session != top.common.SessionID() {
		t.Fatalf("answer %+v", answer)
	}
	if _, cmd := under.Update(answer); cmd != nil || under.deleting == "" {
		t.Fatalf("the other session's view acted on the answer (deleting %q)", under.deleting)
	}
	if _, cmd := top.Update(answer); cmd == nil || top.deleting != "" {
		t.Fatal("the asking view did not act on its answer")
	}

	n := len(under.files)
	under.Update(listedMsg{sid: top.common.SessionID(), gen: under.gen})
	if len(under.files) != n {
		t.Fatal("a listing of another session was applied")
	}
}
