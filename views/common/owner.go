package common

import tea "charm.land/bubbletea/v2"

// Result is a message that belongs to one session: a view's own results (a listing, a write's
// outcome) and the answers to its questions (ConfirmMsg). The root hands every such message to
// every view, the views of stacked sessions included; the type says which component it is for,
// ResultSession which session, and the one gate, Common.Foreign, drops those of another.
type Result interface{ ResultSession() uint64 }

// Foreign is true when msg is a Result of a session other than c's (an ended one, or another
// on the stack): the view drops it unread. Views call it first in Update.
func (c Common) Foreign(msg tea.Msg) bool {
	r, ok := msg.(Result)
	return ok && r.ResultSession() != c.SessionID()
}
