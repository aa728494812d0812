package keys

import (
	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/views/common"
)

// Keys outside "/": the view opens at "/", and keys that do not start with it are listed only by
// the root (h from "/"). When the keyspace has some, the first screen says so on the list's last
// line ("…  3 keys outside / · h lists them"), counted at the listing's revision.

// outsideMsg carries how many keys do not start with the separator.
type outsideMsg struct {
	sid uint64
	gen int
	n   int64
}

func (m outsideMsg) ResultSession() uint64 { return m.sid }

// countOutside counts the keys outside the separator's directory when "/" was listed afresh.
func (m *Model) countOutside(msg listedMsg) tea.Cmd {
	s := m.common.Session
	if s == nil || msg.gen != m.gen || msg.after != "" || msg.err != nil || m.dir != string(m.sep) {
		return nil
	}
	m.outsideGen, m.outsideWait = m.gen, true
	gen, sep, rev := m.gen, m.sep, msg.listing.Rev
	return func() tea.Msg {
		n, err := s.Client.CountOutside(s.Context(), sep, rev)
		if err != nil {
			n = 0 // a note, not a listing: without the count the view shows none
		}
		return outsideMsg{sid: s.ID, gen: gen, n: n}
	}
}

// outsideCounted keeps the count for the directory it was made for.
func (m *Model) outsideCounted(msg outsideMsg) {
	if msg.gen == m.outsideGen {
		m.outsideWait = false // the last count asked for is in
	}
	if msg.gen == m.gen {
		m.outside = msg.n
		m.clamp() // the note takes a line of the list
	}
}

// showsOutside: the list's last line is the note about keys outside "/".
func (m *Model) showsOutside() bool {
	return m.outside > 0 && m.dir == string(m.sep) && m.err == nil && m.filterText == "" && !m.substring
}

// outsideLine is the note, with the key that lists those keys.
func (m *Model) outsideLine() string {
	s := "…  " + common.Plural(int(m.outside), "key") + " outside " + cluster.EscapeKey(string(m.sep))
	if h := common.BindingHint(m.common.Keys.Keys.Parent, "lists them"); h != "" {
		s += " · " + h
	}
	return s
}
