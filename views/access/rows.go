package access

import (
	"slices"

	"github.com/etcdeck/etcdeck/cluster"
)

// The listing as rows the cursor moves over: every user, then every role followed by its
// permissions, so one cursor reaches everything a key acts on.

type rowKind int

const (
	noRow rowKind = iota
	userRow
	roleRow
	permRow
)

// row is one line of the listing.
type row struct {
	kind     rowKind
	user     string
	roles    []string // the user's
	password cluster.PasswordState
	role     string
	perm     cluster.Perm
	perms    int // the role's number of permissions
}

// same reports whether r and o are the same user, role or permission (the cursor stays on it
// across listings).
func (r row) same(o row) bool {
	return r.kind == o.kind && r.user == o.user && r.role == o.role &&
		r.perm.Key == o.perm.Key && r.perm.RangeEnd == o.perm.RangeEnd
}

// rowsOf lays out info: users then roles, each role followed by its permissions.
func rowsOf(info cluster.AuthInfo) []row {
	var out []row
	for _, u := range info.Users {
		out = append(out, row{kind: userRow, user: u.Name, roles: u.Roles, password: u.Password})
	}
	for _, r := range info.Roles {
		out = append(out, row{kind: roleRow, role: r.Name, perms: len(r.Perms)})
		for _, p := range r.Perms {
			out = append(out, row{kind: permRow, role: r.Name, perm: p})
		}
	}
	return out
}

// onlyRole is the user's role when it has exactly one (the revoke question offers it), else "".
func onlyRole(info cluster.AuthInfo, user string) string {
	i := slices.IndexFunc(info.Users, func(u cluster.UserInfo) bool { return u.Name == user })
	if i < 0 || len(info.Users[i].Roles) != 1 {
		return ""
	}
	return info.Users[i].Roles[0]
}

// roleNames are the roles there are, for completion.
func roleNames(info cluster.AuthInfo) []string {
	out := make([]string, 0, len(info.Roles))
	for _, r := range info.Roles {
		out = append(out, r.Name)
	}
	return out
}
