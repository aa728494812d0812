// Package access is the Access view: the cluster's users (their roles, whether they have a
// password) and roles (each permission: type and key range), whether authentication is on, and
// every change to them — add or delete a user (the password asked twice, never echoed, logged
// or audited), grant or revoke a role, add or delete a role, grant or revoke a permission,
// authentication on or off. Every change goes through the cluster's write path
// (cluster/authadmin.go): refused in read-only mode, audited with the names.
//
// etcd lets only root (or a user with the root role) list users and roles: anyone else is told
// so, with what its own roles allow. The listing is read when the view is shown and after each
// change, never polled: users and roles change rarely, and each listing costs the server a
// password comparison per user (cluster/passwords.go).
package access

import (
	"context"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/keymap"
	"github.com/etcdeck/etcdeck/views/common"
)

// Model is the Access view.
type Model struct {
	common        common.Common
	width, height int

	gen     int // of the listing: an older one's result is dropped
	loading bool
	listed  bool
	info    cluster.AuthInfo
	listErr error
	rows    []row
	cursor  int

	form    form
	confirm common.Confirm
	pending change // what the open question is about
}

var _ common.Component = (*Model)(nil)

// New builds the Access view; it reads nothing until it is focused.
func New(c common.Common) *Model {
	c = c.Defaults()
	return &Model{common: c, form: newForm(c.Styles),
		confirm: common.NewConfirm(c.Styles).ForSession(c.SessionID())}
}

// client is the session's client, nil without one (rendering tests).
func (m *Model) client() *cluster.Client {
	if m.common.Session == nil {
		return nil
	}
	return m.common.Session.Client
}

// ctx is the context every read and write derives from (the session's).
func (m *Model) ctx() context.Context { return m.common.Context() }

// Init reads nothing: the view reads when it is shown.
func (m *Model) Init() tea.Cmd { return nil }

// Focus lists users and roles.
func (m *Model) Focus() tea.Cmd { return m.load() }

// Blur does nothing: the view does not poll.
func (m *Model) Blur() {}

// SetSize sets the content area.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, height
	m.confirm.SetWidth(width)
	m.form.setWidth(width)
	m.clamp()
}

// InputFocused is true while a question or a field is open: it takes every key.
func (m *Model) InputFocused() bool { return m.confirm.Active() || m.form.active() }

// load lists users and roles again; a listing still running is outrun (its result dropped).
func (m *Model) load() tea.Cmd {
	c := m.client()
	if c == nil {
		return nil
	}
	m.gen++
	m.loading = true
	return listCmd(m.ctx(), c, m.common.SessionID(), m.gen)
}

// Update applies listings, answers and write results, and handles keys.
func (m *Model) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	if m.common.Foreign(msg) {
		return m, nil // another session's result: never applied to this one
	}
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	case tea.PasteMsg:
		if m.form.active() {
			return m, m.form.update(m, msg)
		}
		return m, m.confirm.Update(msg)
	case common.ClusterBackMsg:
		if msg.SessionID == m.common.SessionID() && m.listErr != nil {
			return m, m.load()
		}
	case listedMsg:
		m.took(msg)
	case CommandMsg:
		return m, m.command(msg)
	case common.ConfirmMsg:
		if msg.ID == confirmID {
			return m, m.answered(msg)
		}
	case doneMsg:
		return m, m.done(msg)
	}
	return m, nil
}

// took takes a listing, keeping the cursor on the row it was on.
func (m *Model) took(msg listedMsg) {
	if msg.gen != m.gen {
		return
	}
	sel := m.selected()
	m.loading = false
	m.listed = true
	m.info, m.listErr = msg.info, msg.err
	m.rows = rowsOf(m.info)
	for i, r := range m.rows {
		if r.same(sel) {
			m.cursor = i
		}
	}
	m.clamp()
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	if m.confirm.Active() {
		return m.confirm.Update(msg)
	}
	if m.form.active() {
		return m.form.update(m, msg)
	}
	k := m.bindings()
	r := m.selected()
	switch {
	case key.Matches(msg, k.Up):
		m.move(-1)
	case key.Matches(msg, k.Down):
		m.move(1)
	case key.Matches(msg, k.Top):
		m.move(-len(m.rows))
	case key.Matches(msg, k.Bottom):
		m.move(len(m.rows))
	case key.Matches(msg, k.AddUser):
		return m.form.start(askUserName, "", "")
	case key.Matches(msg, k.AddRole):
		return m.form.start(askRoleName, "", "")
	case key.Matches(msg, k.Grant):
		if r.kind == userRow {
			cmd := m.form.start(askGrantRole, r.user, "")
			m.form.suggest(roleNames(m.info))
			return cmd
		}
		return m.form.start(askPermission, r.role, "")
	case key.Matches(msg, k.Revoke):
		if r.kind == userRow {
			cmd := m.form.start(askRevokeRole, r.user, onlyRole(m.info, r.user))
			m.form.suggest(r.roles)
			return cmd
		}
		return m.ask(change{op: opRevokePerm, role: r.role, perm: r.perm})
	case key.Matches(msg, k.Delete):
		switch r.kind {
		case userRow:
			return m.ask(change{op: opDeleteUser, user: r.user})
		case roleRow:
			return m.ask(change{op: opDeleteRole, role: r.role})
		case permRow:
			return m.ask(change{op: opRevokePerm, role: r.role, perm: r.perm})
		}
	case key.Matches(msg, k.Auth):
		if m.info.Enabled {
			return m.ask(change{op: opDisableAuth})
		}
		return m.ask(change{op: opEnableAuth})
	case key.Matches(msg, k.Refresh):
		return m.load()
	}
	return nil
}

func (m *Model) move(delta int) {
	m.cursor += delta
	m.clamp()
}

// clamp keeps the cursor on a row (View scrolls to it).
func (m *Model) clamp() { m.cursor = max(0, min(m.cursor, len(m.rows)-1)) }

// selected is the row under the cursor (the zero row when there is none).
func (m *Model) selected() row {
	if m.cursor < 0 || m.cursor >= len(m.rows) {
		return row{}
	}
	return m.rows[m.cursor]
}

// readOnly is true when writes are refused: the change keys are not offered then (the `:`
// verbs still say why they are refused).
func (m *Model) readOnly() bool {
	c := m.client()
	return c != nil && c.ReadOnly() || m.common.Settings.ReadOnly
}

// bindings is the view's keys with those that would do nothing now disabled, so help and hints
// leave them out.
func (m *Model) bindings() keymap.Access {
	k := m.common.Keys.Access
	r := m.selected()
	write := !m.readOnly() && m.listed
	admin := write && m.listErr == nil
	for _, b := range []struct {
		b  *key.Binding
		on bool
	}{
		{&k.Up, len(m.rows) > 1}, {&k.Down, len(m.rows) > 1},
		{&k.Top, len(m.rows) > 1}, {&k.Bottom, len(m.rows) > 1},
		{&k.AddUser, admin}, {&k.AddRole, admin},
		{&k.Grant, admin && (r.kind == userRow || r.kind == roleRow && r.role != "root" || r.kind == permRow)},
		{&k.Revoke, admin && (r.kind == userRow && len(r.roles) > 0 || r.kind == permRow)},
		{&k.Delete, admin && r.kind != noRow},
		{&k.Auth, admin},
		{&k.Refresh, m.client() != nil},
	} {
		b.b.SetEnabled(b.on)
	}
	return k
}

// ShortHelp is the help line under the view.
func (m *Model) ShortHelp() []key.Binding { return m.bindings().ShortHelp() }

// FullHelp groups the view's bindings for the help overlay.
func (m *Model) FullHelp() [][]key.Binding { return m.bindings().FullHelp() }
