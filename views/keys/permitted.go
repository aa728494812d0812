package keys

import "github.com/etcdeck/etcdeck/cluster"

// A user that is not root usually cannot list "/": the server refuses the whole directory. The
// view then lists what the user's roles name below it instead — each permitted prefix as a
// directory and each single key, with what the roles allow there — so browsing starts where the
// user may look. Such a listing is not live (no watch of a directory the user cannot read) and
// shows the permission where counts and sizes go.

// permittedListing replaces a refused first page with the user's permitted entries below the
// directory; false when err is not a refusal or the roles name nothing there (the error is shown).
func (m *Model) permittedListing(err error) bool {
	s := m.common.Session
	if s == nil || s.Client == nil || !cluster.IsPermissionDenied(err) {
		return false
	}
	below := s.Client.Access().Beneath(m.dir, m.sep)
	if len(below) == 0 {
		return false
	}
	m.permitted = make(map[string]string, len(below))
	m.rows = m.rows[:0]
	for _, p := range below {
		r := cluster.Row{Name: p.Name, Dir: p.Dir, Leaf: !p.Dir, Count: -1, ValueSize: -1}
		m.rows = append(m.rows, r)
		m.permitted[permittedID(r)] = p.Type
	}
	m.next, m.rev, m.err = "", 0, nil
	m.deniedNote = err.Error()
	return true
}

// permittedID names a row of the permitted listing: a prefix and a key may share a name.
func permittedID(r cluster.Row) string {
	if r.Dir {
		return "d" + r.Name
	}
	return "k" + r.Name
}

// permission is what the roles allow on row r of a permitted listing, "" in a normal listing.
func (m *Model) permission(r cluster.Row) string {
	if m.permitted == nil {
		return ""
	}
	return m.permitted[permittedID(r)]
}
