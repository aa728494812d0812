package common

import "github.com/etcdeck/etcdeck/cluster"

// OpenSessionMsg asks the root to show Session (a snapshot opened read-only) in place of the
// current one, which stays underneath until CloseSessionMsg. Close runs once the session has
// ended: it releases what the session stood on (stops the temporary member, removes its dir).
type OpenSessionMsg struct {
	Session *cluster.Session
	Close   func() error
}

// CloseSessionMsg asks the root to end the session shown (esc or :close) and go back to the one
// underneath; with none underneath it does nothing.
type CloseSessionMsg struct{}

// SessionClosedMsg says a closed session's Close ran; Err is why it failed.
type SessionClosedMsg struct {
	Label string
	Err   error
}

// ReloadViewsMsg asks the root to rebuild every view of the current session: the data under
// them changed wholesale (a restore into the embedded member), so their listings, watches and
// revisions are meaningless. Session, when set, replaces the session shown first: the same
// member reached as another user (a backup with authentication on was restored into it); the
// root ends the old one.
type ReloadViewsMsg struct{ Session *cluster.Session }

// BackHandler is implemented by views that use esc for something of their own at times (a
// filter to clear): while HandlesBack is true, esc goes to the view and does not close a
// snapshot's session.
type BackHandler interface {
	HandlesBack() bool
}

// TabTaker is implemented by views that use the next-view key (tab) for something of their own
// at times (the Keys view moves the focus between its list and the value shown beside it):
// while TakesTab is true, tab goes to the view instead of switching views.
type TabTaker interface {
	TakesTab() bool
}

// Closer is implemented by views with work that must end before the console exits (a snapshot
// being opened holds a temporary directory and child processes): the root calls Close once the
// program has stopped, and Close returns when that work is released.
type Closer interface {
	Close()
}

// MemberBusyMsg tells the root the embedded member is being stopped and started on purpose (a
// restore): while Busy its exit is not a failure to report; when Busy turns false the root
// watches it again (and reports at once if it did not come back).
type MemberBusyMsg struct{ Busy bool }
