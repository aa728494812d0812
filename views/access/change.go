package access

import (
	"context"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/views/common"
)

// One change to users, roles or authentication: what it is, the question asked before the ones
// that take something away, and the call to the cluster's write path that carries it out.

type op int

const (
	opAddUser op = iota + 1
	opDeleteUser
	opGrantRole
	opRevokeRole
	opAddRole
	opDeleteRole
	opGrantPerm
	opRevokePerm
	opEnableAuth
	opDisableAuth
)

// change is one change; the password of a user being added is never part of it.
type change struct {
	op   op
	user string
	role string
	perm cluster.Perm
}

// confirmID is the ID of the view's questions in ConfirmMsg.
const confirmID = "access.confirm"

// disableWord is what disabling authentication asks to be typed.
const disableWord = "disable"

// done names the change as done, for the flash: "added user reader".
func (c change) done() string {
	u, r := cluster.EscapeText(c.user), cluster.EscapeText(c.role)
	switch c.op {
	case opAddUser:
		return "added user " + u
	case opDeleteUser:
		return "deleted user " + u
	case opGrantRole:
		return "granted role " + r + " to user " + u
	case opRevokeRole:
		return "revoked role " + r + " from user " + u
	case opAddRole:
		return "added role " + r
	case opDeleteRole:
		return "deleted role " + r
	case opGrantPerm:
		return "granted " + c.perm.String() + " to role " + r
	case opRevokePerm:
		return "revoked " + c.perm.Span() + " from role " + r
	case opEnableAuth:
		return "authentication enabled"
	case opDisableAuth:
		return "authentication disabled"
	}
	return ""
}

// audit is the change's action and target as the write path records them (authadmin.go), so a
// refusal before asking reads like the write's own line.
func (c change) audit() (action, target string) {
	switch c.op {
	case opDeleteUser:
		return "user-delete", "user " + c.user
	case opDeleteRole:
		return "role-delete", "role " + c.role
	case opRevokePerm:
		return "permission-revoke", "role " + c.role + " " + c.perm.Span()
	case opEnableAuth:
		return "auth-enable", ""
	case opDisableAuth:
		return "auth-disable", ""
	case opAddUser:
		return "user-add", "user " + c.user
	case opGrantRole:
		return "role-grant", "user " + c.user + " role " + c.role
	case opRevokeRole:
		return "role-revoke", "user " + c.user + " role " + c.role
	case opAddRole:
		return "role-add", "role " + c.role
	case opGrantPerm:
		return "permission-grant", "role " + c.role + " " + c.perm.String()
	}
	return "", ""
}

// run carries the change out through the cluster's write path.
func (c change) run(ctx context.Context, cl *cluster.Client, password string) error {
	switch c.op {
	case opAddUser:
		return cl.AddUser(ctx, c.user, password)
	case opDeleteUser:
		return cl.DeleteUser(ctx, c.user)
	case opGrantRole:
		return cl.GrantRole(ctx, c.user, c.role)
	case opRevokeRole:
		return cl.RevokeRole(ctx, c.user, c.role)
	case opAddRole:
		return cl.AddRole(ctx, c.role)
	case opDeleteRole:
		return cl.DeleteRole(ctx, c.role)
	case opGrantPerm:
		return cl.GrantPermission(ctx, c.role, c.perm)
	case opRevokePerm:
		return cl.RevokePermission(ctx, c.role, c.perm)
	case opEnableAuth:
		return cl.EnableAuth(ctx)
	case opDisableAuth:
		return cl.DisableAuth(ctx)
	}
	return fmt.Errorf("unknown change %d", c.op)
}

// ask opens the question before a change that takes something away (or turns authentication
// on or off); enabling without root is refused here, before asking, as etcd would refuse it.
func (m *Model) ask(c change) tea.Cmd {
	cl := m.client()
	if cl == nil {
		return nil
	}
	action, target := c.audit()
	if err := cl.CheckWrite(action, "", target); err != nil {
		return common.Flash(common.FlashError, c.failed()+": "+err.Error())
	}
	m.pending = c
	u, r := cluster.EscapeText(c.user), cluster.EscapeText(c.role)
	switch c.op {
	case opDeleteUser:
		m.confirm.Ask(confirmID, "Delete user "+u+"? Clients logging in as "+u+" are refused from then on.")
	case opDeleteRole:
		what := "Delete role " + r + "?"
		if users := holders(m.info, c.role); len(users) > 0 {
			what += fmt.Sprintf(" %s lose it: %s.", common.Plural(len(users), "user"), strings.Join(users, ", "))
		}
		m.confirm.Ask(confirmID, what)
	case opRevokePerm:
		m.confirm.Ask(confirmID, "Revoke "+c.perm.String()+" from role "+r+"?")
	case opEnableAuth:
		if err := m.info.CanEnable(); err != nil && m.listed && m.listErr == nil {
			m.pending = change{}
			return common.Flash(common.FlashError, "authentication not enabled: "+err.Error())
		}
		m.confirm.Ask(confirmID, "Enable authentication? Every client must log in from then on; user root can do everything.")
	case opDisableAuth:
		return m.confirm.AskTyped(confirmID, "Disable authentication? Every client may then read and write every key without logging in. Type "+disableWord+" to disable it.", disableWord)
	default:
		m.pending = change{}
		return m.write(c, "")
	}
	return nil
}

// failed names the change as not done: "add user reader".
func (c change) failed() string { return failedText(c.done()) }

// holders are the users holding role, escaped.
func holders(info cluster.AuthInfo, role string) []string {
	var out []string
	for _, u := range info.Users {
		for _, r := range u.Roles {
			if r == role {
				out = append(out, cluster.EscapeText(u.Name))
			}
		}
	}
	return out
}

// answered carries out the change asked about when the answer was yes.
func (m *Model) answered(msg common.ConfirmMsg) tea.Cmd {
	c := m.pending
	m.pending = change{}
	switch {
	case msg.Cancelled:
		return common.Flash(common.FlashInfo, "cancelled: nothing changed")
	case !msg.Yes && c.op == opDisableAuth:
		return common.Flash(common.FlashWarn, "authentication stays on: type "+disableWord+" to disable it")
	case !msg.Yes:
		return common.Flash(common.FlashInfo, "nothing changed")
	case c.op == 0:
		return nil
	}
	return m.write(c, "")
}

// write sends the change; password is the new user's, captured by the command alone.
func (m *Model) write(c change, password string) tea.Cmd {
	cl := m.client()
	if cl == nil {
		return nil
	}
	return writeCmd(m.ctx(), cl, m.common.SessionID(), c, password)
}

// done says how a change went and lists again, so the rows follow at once.
func (m *Model) done(msg doneMsg) tea.Cmd {
	if msg.err != nil {
		return tea.Batch(m.load(), common.Flash(common.FlashError, failedText(msg.what)+": "+msg.err.Error()))
	}
	text := "✓ " + msg.what
	if msg.op == opEnableAuth && m.client() != nil && m.client().Access() == nil {
		text += " — this session logged in as no user: reconnect with --user root"
	}
	return tea.Batch(m.load(), common.Flash(common.FlashInfo, text))
}

// failedText turns a done text into the failed one ("added user x" → "add user x").
func failedText(done string) string {
	for _, w := range [][2]string{{"added", "add"}, {"deleted", "delete"}, {"granted", "grant"}, {"revoked", "revoke"}} {
		if s, ok := strings.CutPrefix(done, w[0]); ok {
			return w[1] + s
		}
	}
	switch done {
	case "authentication enabled":
		return "enable authentication"
	case "authentication disabled":
		return "disable authentication"
	}
	return done
}
