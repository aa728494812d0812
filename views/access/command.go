package access

import (
	"errors"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/views/common"
)

// The `:user`, `:role` and `:auth` verbs (tui/verbs.go) are parsed here, next to what they do,
// into a CommandMsg the root hands to the view after showing it.

// CommandMsg carries one `:user`, `:role` or `:auth` command to the Access view: the same
// change its keys make, asked about the same way (a new user's password is asked in the view).
type CommandMsg struct{ c change }

// UserUsage, RoleUsage and AuthUsage are the verbs' arguments as the help lists them.
const (
	UserUsage = "add|delete|grant|revoke <name> [<role>]"
	RoleUsage = "add|delete|grant|revoke <role> [<type>] [<key> [<end>]]"
	AuthUsage = "enable|disable"
)

// UserWords, RoleWords and AuthWords are what tab offers after each verb.
var (
	UserWords = []string{"add", "delete", "grant", "revoke"}
	RoleWords = []string{"add", "delete", "grant", "revoke"}
	AuthWords = []string{"enable", "disable"}
)

// ParseUser reads "user add NAME", "user delete NAME", "user grant NAME ROLE" and
// "user revoke NAME ROLE".
func ParseUser(arg string) (tea.Msg, error) {
	f := strings.Fields(arg)
	if len(f) == 0 {
		return nil, errors.New("user needs add, delete, grant or revoke and a user's name")
	}
	want := map[string]int{"add": 2, "delete": 2, "grant": 3, "revoke": 3}
	n, ok := want[f[0]]
	switch {
	case !ok:
		return nil, fmt.Errorf("user %s: say add, delete, grant or revoke", cluster.EscapeText(f[0]))
	case len(f) != n && n == 2:
		return nil, fmt.Errorf("user %s takes one user's name (the password is asked after)", f[0])
	case len(f) != n:
		return nil, fmt.Errorf("user %s takes a user's name and a role's", f[0])
	}
	c := change{user: f[1]}
	switch f[0] {
	case "add":
		c.op = opAddUser
	case "delete":
		c.op = opDeleteUser
	case "grant":
		c.op, c.role = opGrantRole, f[2]
	case "revoke":
		c.op, c.role = opRevokeRole, f[2]
	}
	return CommandMsg{c: c}, nil
}

// ParseRole reads "role add NAME", "role delete NAME", "role grant ROLE TYPE KEY [END]" and
// "role revoke ROLE KEY [END]" (keys as cluster.ParsePerm reads them).
func ParseRole(arg string) (tea.Msg, error) {
	f := strings.Fields(arg)
	if len(f) < 2 {
		return nil, errors.New("role needs add, delete, grant or revoke and a role's name")
	}
	c := change{role: f[1]}
	switch f[0] {
	case "add", "delete":
		if len(f) != 2 {
			return nil, fmt.Errorf("role %s takes one role's name", f[0])
		}
		c.op = opAddRole
		if f[0] == "delete" {
			c.op = opDeleteRole
		}
	case "grant":
		p, err := cluster.ParsePerm(strings.Join(f[2:], " "))
		if err != nil {
			return nil, fmt.Errorf("role grant %s: %w", cluster.EscapeText(f[1]), err)
		}
		c.op, c.perm = opGrantPerm, p
	case "revoke":
		// The type does not matter to a revoke: etcd removes the range's permission whatever it is.
		p, err := cluster.ParsePerm(cluster.PermRead + " " + strings.Join(f[2:], " "))
		if err != nil {
			return nil, fmt.Errorf("role revoke %s: %w", cluster.EscapeText(f[1]), err)
		}
		c.op, c.perm = opRevokePerm, p
	default:
		return nil, fmt.Errorf("role %s: say add, delete, grant or revoke", cluster.EscapeText(f[0]))
	}
	return CommandMsg{c: c}, nil
}

// ParseAuth reads "auth enable" and "auth disable".
func ParseAuth(arg string) (tea.Msg, error) {
	switch arg {
	case "enable":
		return CommandMsg{c: change{op: opEnableAuth}}, nil
	case "disable":
		return CommandMsg{c: change{op: opDisableAuth}}, nil
	}
	return nil, errors.New("auth takes enable or disable")
}

// command carries out a verb: a new user's password is asked here, removals are asked about,
// the rest is sent (the write path refuses in read-only mode, audited).
func (m *Model) command(msg CommandMsg) tea.Cmd {
	c := msg.c
	cl := m.client()
	if cl == nil {
		return nil
	}
	switch c.op {
	case opAddUser:
		action, target := c.audit()
		if err := cl.CheckWrite(action, "", target); err != nil {
			return common.Flash(common.FlashError, c.failed()+": "+err.Error())
		}
		return m.form.start(askPassword, c.user, "")
	case opDeleteUser, opDeleteRole, opRevokePerm, opEnableAuth, opDisableAuth:
		return m.ask(c)
	}
	return m.write(c, "")
}
