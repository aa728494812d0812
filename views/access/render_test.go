package access

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/keymap"
	"github.com/etcdeck/etcdeck/views/common"
	"github.com/etcdeck/etcdeck/views/common/viewtest"
)

// screen renders the view with the ASCII colour profile, as the goldens hold it.
func screen(m *Model) string {
	var buf bytes.Buffer
	w := &colorprofile.Writer{Forward: &buf, Profile: colorprofile.Ascii}
	w.WriteString(m.View())
	return buf.String()
}

// fixtureInfo is issue 20's cluster: root, reader (app-reader: read /app/), writer
// (app-writer: readwrite /app/w/), a certificate-only user, and a role with a range.
func fixtureInfo(enabled bool) cluster.AuthInfo {
	pw := cluster.PasswordSet
	none := cluster.PasswordNone
	if !enabled {
		pw, none = cluster.PasswordUnknown, cluster.PasswordUnknown
	}
	return cluster.AuthInfo{
		Enabled: enabled,
		Users: []cluster.UserInfo{
			{Name: "certonly", Roles: []string{"app-reader"}, Password: none},
			{Name: "reader", Roles: []string{"app-reader"}, Password: pw},
			{Name: "root", Roles: []string{"root"}, Password: pw},
			{Name: "writer", Roles: []string{"app-reader", "app-writer"}, Password: pw},
		},
		Roles: []cluster.RoleInfo{
			{Name: "app-reader", Perms: []cluster.Perm{{Role: "app-reader", Type: cluster.PermRead, Key: "/app/", RangeEnd: "/app0"}}},
			{Name: "app-writer", Perms: []cluster.Perm{
				{Role: "app-writer", Type: cluster.PermReadWrite, Key: "/app/w/", RangeEnd: "/app/w0"},
				{Role: "app-writer", Type: cluster.PermWrite, Key: "/jobs/001", RangeEnd: "/jobs/100"},
				{Role: "app-writer", Type: cluster.PermRead, Key: "/config"},
			}},
			{Name: "root"},
		},
	}
}

// listedView is the view at w×h holding info.
func listedView(w, h int, info cluster.AuthInfo, err error) *Model {
	m := New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap()})
	m.SetSize(w, h)
	m.took(listedMsg{gen: m.gen, info: info, err: err})
	return m
}

// TestGoldenAccess renders the view at 80x24 and 120x40: reading, the listing with
// authentication on and off, no users, refused to a user that is not root, a new user's
// password being typed (not echoed), and the typed question before disabling authentication.
func TestGoldenAccess(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		w, h := size[0], size[1]
		for _, sc := range []struct {
			name string
			view func() *Model
		}{
			{"reading", func() *Model {
				m := New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap()})
				m.SetSize(w, h)
				m.loading = true
				return m
			}},
			{"on", func() *Model {
				m := listedView(w, h, fixtureInfo(true), nil)
				m.Update(viewtest.Key("j"))
				return m
			}},
			{"off", func() *Model {
				m := listedView(w, h, fixtureInfo(false), nil)
				m.Update(viewtest.Key("G"))
				return m
			}},
			{"empty", func() *Model { return listedView(w, h, cluster.AuthInfo{}, nil) }},
			{"needsroot", func() *Model {
				return listedView(w, h, cluster.AuthInfo{Enabled: true}, fmt.Errorf("%w", cluster.ErrNeedsRoot))
			}},
			{"password", func() *Model {
				m := listedView(w, h, fixtureInfo(true), nil)
				m.form.start(askPassword, "alice", "")
				for _, k := range []string{"s", "3", "c", "r", "e", "t"} {
					m.Update(viewtest.Key(k))
				}
				return m
			}},
			{"disable", func() *Model {
				m := listedView(w, h, fixtureInfo(true), nil)
				m.pending = change{op: opDisableAuth}
				m.confirm.AskTyped(confirmID, "Disable authentication? Every client may then read and write every key without logging in. Type "+disableWord+" to disable it.", disableWord)
				return m
			}},
		} {
			t.Run(fmt.Sprintf("%s_%dx%d", sc.name, w, h), func(t *testing.T) {
				golden.RequireEqual(t, []byte(screen(sc.view())))
			})
		}
	}
}

// TestStaleResultsDropped: a listing outrun by a newer one, and a result of another session,
// change nothing on screen.
func TestStaleResultsDropped(t *testing.T) {
	m := listedView(80, 24, fixtureInfo(true), nil)
	before := screen(m)
	m.took(listedMsg{gen: m.gen - 1, info: cluster.AuthInfo{Users: []cluster.UserInfo{{Name: "ghost"}}}})
	m.Update(listedMsg{session: m.common.SessionID() + 1, gen: m.gen, info: cluster.AuthInfo{Users: []cluster.UserInfo{{Name: "ghost"}}}})
	m.Update(doneMsg{session: m.common.SessionID() + 1, what: "added user ghost"})
	if after := screen(m); after != before {
		t.Errorf("a stale result changed the screen:\n%s", after)
	}
}
