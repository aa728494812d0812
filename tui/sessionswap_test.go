package tui

import (
	"context"
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/views/common"
)

// TestFlowSessionSwap: a restore that reconnected the member's session as another user hands the
// root a new session (ReloadViewsMsg.Session): the old one ends, the views come back on the new
// one, and quitting ends the new one too (main ends only the first).
func TestFlowSessionSwap(t *testing.T) {
	env := testConfig()
	env.session = labelledSession(t, "embedded-swap", "/alpha-swap", false)
	m := newRealModel(t, env)
	f := startFlow(t, m, 120, 30)
	f.waitText("alpha-swap")

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := env.session.Client.WithCredentials(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	swapped := env.session.WithClient(c)
	if swapped.ID == env.session.ID || swapped.Label != env.session.Label || swapped.Member != env.session.Member {
		t.Fatalf("WithClient: id %d (old %d), label %q, member %v", swapped.ID, env.session.ID, swapped.Label, swapped.Member)
	}
	f.tm.Send(common.ReloadViewsMsg{Session: swapped})
	f.waitFor("the old session ended", func(snapshot) bool { return env.session.Context().Err() != nil })
	f.waitFor("the views on the new session", func(s snapshot) bool {
		return contains(s.screen, "alpha-swap") && contains(s.screen, "embedded-swap")
	})
	if swapped.Context().Err() != nil {
		t.Fatal("the new session ended with the old")
	}
	f.quit()
	m.CloseSessions()
	if swapped.Context().Err() == nil {
		t.Fatal("quitting did not end the swapped-in session")
	}
}
