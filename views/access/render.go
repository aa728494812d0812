package access

import (
	"errors"
	"fmt"
	"strings"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/views/common"
)

// nameWidth is the width of the name column.
const nameWidth = 24

// View renders the title (authentication on or off), the users and the roles with their
// permissions, and the footer (the open field or question).
func (m *Model) View() string {
	st := m.common.Styles
	var b strings.Builder
	b.WriteString(st.TitleLine(m.width, "Access", "", st.Muted.Render(m.authState())))
	b.WriteString("\n")
	switch {
	case !m.listed && (m.client() != nil || m.loading):
		b.WriteString(" " + st.Muted.Render("reading users and roles…"))
	case m.listErr != nil:
		b.WriteString(m.refused())
	case !m.listed:
		b.WriteString(" " + st.Muted.Render("not connected"))
	default:
		b.WriteString(m.table())
	}
	fh := max(1, m.confirm.Height())
	fh = min(fh, max(1, m.height-1))
	body := common.Fit(b.String(), m.width, max(0, m.height-fh))
	return body + "\n" + common.Fit(m.footer(), m.width, fh)
}

// authState is the title's right side.
func (m *Model) authState() string {
	switch {
	case !m.listed:
		return ""
	case m.info.Enabled:
		return "authentication on"
	case m.listErr != nil:
		return "" // AuthStatus itself failed
	}
	return "authentication off"
}

// listHeight is how many lines the listing has: the title and the footer take 2.
func (m *Model) listHeight() int { return max(0, m.height-2) }

// refused says why nothing is listed: what the view needs, and what the user may do instead.
func (m *Model) refused() string {
	st := m.common.Styles
	lines := []string{" " + st.Error.Render("✗ "+cluster.EscapeText(m.listErr.Error()))}
	if !errors.Is(m.listErr, cluster.ErrNeedsRoot) {
		return strings.Join(lines, "\n")
	}
	lines = append(lines, " "+st.Muted.Render("managing users and roles needs the role root: reconnect as root (--user root)"))
	if c := m.client(); c != nil && c.Access() != nil {
		a := c.Access()
		lines = append(lines, "", " you are "+cluster.EscapeText(a.User)+", with "+rolesOf(a.Roles)+":")
		for _, p := range a.Perms {
			lines = append(lines, "   "+common.Pad(p.Type, 10)+" "+p.Span()+st.Muted.Render("  ("+cluster.EscapeText(p.Role)+")"))
		}
		if len(a.Perms) == 0 {
			lines = append(lines, "   "+st.Muted.Render("no permission: no key may be read or written"))
		}
	}
	return strings.Join(lines, "\n")
}

// rolesOf names roles: "the roles a, b", "the role a", "no role".
func rolesOf(roles []string) string {
	esc := make([]string, len(roles))
	for i, r := range roles {
		esc[i] = cluster.EscapeText(r)
	}
	switch len(roles) {
	case 0:
		return "no role"
	case 1:
		return "the role " + esc[0]
	}
	return "the roles " + strings.Join(esc, ", ")
}

// table is the users and roles, scrolled so the cursor's line shows.
func (m *Model) table() string {
	st := m.common.Styles
	var lines []string
	at := -1
	lines = append(lines, st.Title.Render(" "+common.Pad(fmt.Sprintf("USERS (%d)", len(m.info.Users)), nameWidth))+
		st.Muted.Render(" "+common.Pad("PASSWORD", 9)+" ROLES"))
	if len(m.info.Users) == 0 {
		lines = append(lines, " "+st.Muted.Render("no users: a adds one (root first, to enable authentication)"))
	}
	header := false
	for i, r := range m.rows {
		if r.kind != userRow && !header {
			header = true
			lines = append(lines, st.Title.Render(" "+common.Pad(fmt.Sprintf("ROLES (%d)", len(m.info.Roles)), nameWidth))+
				st.Muted.Render(" PERMISSIONS"))
		}
		line := m.line(r)
		if i == m.cursor {
			at = len(lines)
			line = st.Selected.Render(common.Pad(line, m.width))
		}
		lines = append(lines, line)
	}
	if !header {
		lines = append(lines, st.Title.Render(" ROLES (0)"), " "+st.Muted.Render("no roles: A adds one"))
	}
	if h := m.listHeight(); at >= h && h > 0 {
		lines = lines[at-h+1:]
	}
	return strings.Join(lines, "\n")
}

// line is one row's text.
func (m *Model) line(r row) string {
	switch r.kind {
	case userRow:
		roles := "—"
		if len(r.roles) > 0 {
			esc := make([]string, len(r.roles))
			for i, x := range r.roles {
				esc[i] = cluster.EscapeText(x)
			}
			roles = strings.Join(esc, ", ")
		}
		return " " + common.Pad(cluster.EscapeText(r.user), nameWidth) + " " + common.Pad(r.password.String(), 9) + " " + roles
	case roleRow:
		what := common.Plural(r.perms, "permission")
		if r.role == "root" {
			what = "every key (the root role allows everything)"
		}
		return " " + common.Pad(cluster.EscapeText(r.role), nameWidth) + " " + what
	case permRow:
		return "   " + common.Pad(r.perm.Type, 10) + " " + r.perm.Span()
	}
	return ""
}

// footer is the open field or question, else where the cursor is and what "?" means.
func (m *Model) footer() string {
	st := m.common.Styles
	switch {
	case m.confirm.Active():
		return m.confirm.View()
	case m.form.active():
		return " " + m.form.view()
	case !m.listed || m.listErr != nil:
		return ""
	}
	var parts []string
	switch r := m.selected(); r.kind {
	case userRow:
		parts = append(parts, "user "+cluster.EscapeText(r.user))
	case roleRow, permRow:
		parts = append(parts, "role "+cluster.EscapeText(r.role))
	}
	if !m.info.Enabled && len(m.info.Users) > 0 {
		parts = append(parts, "password ?: etcd tells only once authentication is on")
	}
	if m.readOnly() {
		parts = append(parts, "read-only: no change")
	}
	return " " + st.Muted.Render(strings.Join(parts, " · "))
}
