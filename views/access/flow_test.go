package access

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
	"github.com/etcdeck/etcdeck/keymap"
	"github.com/etcdeck/etcdeck/views/common"
	"github.com/etcdeck/etcdeck/views/common/viewtest"
)

// fixture is the Access view on a real member, connected as user (with password) or as no
// user, writing its audit log to a file.
type fixture struct {
	t     *testing.T
	m     *Model
	d     *viewtest.Driver
	audit string
	flash []string
}

func newFixture(t *testing.T, endpoints []string, user, password string, readOnly bool) *fixture {
	t.Helper()
	f := &fixture{t: t, audit: filepath.Join(t.TempDir(), "audit.log")}
	audit, err := cluster.OpenAudit(f.audit)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { audit.Close() })
	conf := cluster.ConnConfig{Endpoints: endpoints, InsecureTransport: true, User: user, Password: password}
	s := viewtest.SessionOf(t, conf, "test", nil, cluster.WithReadOnly(readOnly), cluster.WithAudit(audit))
	f.m = New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap(), Session: s})
	f.m.SetSize(100, 30)
	f.d = viewtest.New(t, f.m)
	f.d.Seen = func(msg tea.Msg) {
		if fl, ok := msg.(common.FlashMsg); ok {
			f.flash = append(f.flash, fl.Text)
		}
	}
	f.d.Run(f.m.Focus())
	return f
}

func (f *fixture) screen() string { return ansi.Strip(f.m.View()) }

// until processes the view's messages until cond holds (10 s at most: a failure, not a timing).
func (f *fixture) until(what string, cond func() bool) {
	f.t.Helper()
	deadline := time.After(10 * time.Second)
	for !cond() {
		select {
		case msg := <-f.d.Msgs:
			f.d.Send(msg)
		case <-deadline:
			f.t.Fatalf("waiting for %s; screen:\n%s\nflashes: %q", what, f.screen(), f.flash)
		}
	}
}

func (f *fixture) shows(s string) {
	f.t.Helper()
	f.until("the screen to show "+s, func() bool { return strings.Contains(f.screen(), s) })
}

func (f *fixture) flashed(s string) {
	f.t.Helper()
	f.until("a flash saying "+s, func() bool {
		for _, fl := range f.flash {
			if strings.Contains(fl, s) {
				return true
			}
		}
		return false
	})
}

// typeText types s into the open field, one key per character.
func (f *fixture) typeText(s string) {
	for _, r := range s {
		f.d.Send(viewtest.Key(string(r)))
	}
}

// selectRow moves the cursor to the first row whose line (spaces squeezed) starts with text.
func (f *fixture) selectRow(text string) {
	f.t.Helper()
	for i, r := range f.m.rows {
		if strings.HasPrefix(strings.Join(strings.Fields(f.m.line(r)), " ")+" ", text) {
			f.m.cursor = i
			return
		}
	}
	f.t.Fatalf("no row %q:\n%s", text, f.screen())
}

// line is the screen line starting with text ("" when none).
func (f *fixture) line(text string) string {
	for _, l := range strings.Split(f.screen(), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), text) {
			return strings.Join(strings.Fields(l), " ")
		}
	}
	return ""
}

// auditLog is the audit log's lines as action, target and result.
func (f *fixture) auditLog() [][3]string {
	f.t.Helper()
	return viewtest.AuditTriples(f.t, f.audit)
}

// TestAccessRootManages: root sees issue 20's users and roles; with the view's keys it adds a
// user (the password typed twice, a mismatch refused first), a role, a permission on it,
// grants and revokes the role, revokes the permission, deletes the role and the user, then
// disables authentication (typed) and enables it again. Each change is audited with the names
// and never the password.
func TestAccessRootManages(t *testing.T) {
	member := nodetest.Start(t)
	nodetest.AuthUsers(t, member.Endpoints())
	f := newFixture(t, member.Endpoints(), "root", nodetest.RootPassword, false)
	f.shows("authentication on")
	for _, want := range []string{"reader yes app-reader", "root yes root", "writer yes app-writer", "read /app/", "readwrite /app/w/"} {
		f.until("line "+want, func() bool { return f.line(strings.Fields(want)[0]+" ") == want || f.line(want) == want })
	}

	const pw = "s3cret-never-logged"
	f.d.Press("a")
	f.typeText("alice")
	f.d.Press("enter")
	f.typeText(pw)
	f.d.Press("enter")
	if strings.Contains(f.screen(), pw) {
		t.Fatalf("the password is echoed:\n%s", f.screen())
	}
	f.typeText(pw + "x")
	f.d.Press("enter")
	f.flashed("user alice not added: the two passwords differ")

	f.d.Press("a")
	f.typeText("alice")
	f.d.Press("enter")
	f.typeText(pw)
	f.d.Press("enter")
	f.typeText(pw)
	f.d.Press("enter")
	f.flashed("✓ added user alice")
	f.until("alice listed", func() bool { return f.line("alice ") == "alice yes —" })

	f.d.Press("A")
	f.typeText("ops")
	f.d.Press("enter")
	f.flashed("✓ added role ops")
	f.until("ops listed", func() bool { return f.line("ops ") == "ops 0 permissions" })
	f.selectRow("ops ")
	f.d.Press("+")
	f.typeText("readwrite /ops/")
	f.d.Press("enter")
	f.flashed("✓ granted /ops/ (readwrite) to role ops")
	f.until("ops with its permission", func() bool { return f.line("ops ") == "ops 1 permission" })

	f.selectRow("alice ")
	f.d.Press("+")
	f.typeText("o")
	f.d.Press("tab") // completes the one role starting with o
	f.d.Press("enter")
	f.flashed("✓ granted role ops to user alice")
	f.until("alice holding ops", func() bool { return f.line("alice ") == "alice yes ops" })
	f.selectRow("alice ")
	f.d.Press("-") // her one role is offered
	f.d.Press("enter")
	f.flashed("✓ revoked role ops from user alice")
	f.until("alice without ops", func() bool { return f.line("alice ") == "alice yes —" })

	f.selectRow("readwrite /ops/ ")
	f.d.Press("d")
	f.shows("Revoke /ops/ (readwrite) from role ops?")
	f.d.Press("y")
	f.flashed("✓ revoked /ops/ from role ops")
	f.selectRow("ops ")
	f.d.Press("d")
	f.shows("Delete role ops?")
	f.d.Press("y")
	f.flashed("✓ deleted role ops")
	// The listing is read again after the flash: a row picked before it arrives can move.
	f.until("the role ops gone", func() bool { return f.line("ops ") == "" && f.line("ROLES (2)") != "" })
	f.selectRow("alice ")
	f.d.Press("d")
	f.shows("Delete user alice?")
	f.d.Press("n")
	f.flashed("nothing changed")
	f.d.Press("d", "y")
	f.flashed("✓ deleted user alice")
	f.until("alice gone", func() bool { return f.line("alice ") == "" })

	f.d.Press("E")
	f.shows("Disable authentication?")
	f.typeText("disabl")
	f.d.Press("enter")
	f.flashed("authentication stays on: type disable to disable it")
	f.d.Press("E")
	f.typeText("disable")
	f.d.Press("enter")
	f.flashed("✓ authentication disabled")
	f.shows("authentication off")
	f.d.Press("E")
	f.shows("Enable authentication?")
	f.d.Press("y")
	f.flashed("✓ authentication enabled")
	f.shows("authentication on")

	data, _ := os.ReadFile(f.audit)
	if strings.Contains(string(data), pw) {
		t.Fatalf("the audit log holds the password:\n%s", data)
	}
	var got []string
	for _, e := range f.auditLog() {
		got = append(got, e[0]+" "+e[1]+" "+e[2])
	}
	want := []string{
		"user-add user alice ok", "role-add role ops ok", "permission-grant role ops /ops/ (readwrite) ok",
		"role-grant user alice role ops ok", "role-revoke user alice role ops ok",
		"permission-revoke role ops /ops/ ok", "role-delete role ops ok", "user-delete user alice ok",
		"auth-disable  ok", "auth-enable  ok",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestAccessEnableNeedsRoot: on a cluster with no root user, E says why authentication cannot
// be enabled before asking anything; `:auth enable` sent before the listing arrived is refused
// by the write path, audited, with the same words.
func TestAccessEnableNeedsRoot(t *testing.T) {
	member := nodetest.Start(t)
	e := nodetest.Client(t, member.Endpoints())
	if _, err := e.UserAdd(context.Background(), "bob", "pw"); err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, member.Endpoints(), "", "", false)
	msg, err := ParseAuth("enable")
	if err != nil {
		t.Fatal(err)
	}
	f.d.Send(msg)
	if f.m.confirm.Active() {
		f.d.Press("y") // asked before the listing said there is no root: the write path refuses
	}
	f.flashed("enable authentication: enabling authentication needs a user root with the role root (etcd's rule): add them first")
	f.shows("authentication off")
	f.until("bob listed", func() bool { return f.line("bob ") == "bob ? —" })
	f.flash = nil
	f.d.Press("E")
	if f.m.confirm.Active() {
		t.Fatalf("a question was asked:\n%s", f.screen())
	}
	f.flashed("authentication not enabled: enabling authentication needs a user root with the role root")
	log := f.auditLog()
	if len(log) != 1 || log[0][0] != "auth-enable" || !strings.Contains(log[0][2], "needs a user root") {
		t.Errorf("audit log = %q, want the refused auth-enable", log)
	}
}

// TestAccessReaderTold: a user that is not root is told what the view needs, and what its own
// roles allow, instead of a bare "permission denied".
func TestAccessReaderTold(t *testing.T) {
	member := nodetest.Start(t)
	nodetest.AuthUsers(t, member.Endpoints())
	f := newFixture(t, member.Endpoints(), "reader", nodetest.ReaderPassword, false)
	f.shows("✗ only root can list users and roles (etcd's rule)")
	f.shows("authentication on")
	f.shows("you are reader, with the role app-reader:")
	if got := f.line("read "); got != "read /app/ (app-reader)" {
		t.Errorf("reader's permission line = %q", got)
	}
	for _, col := range f.m.FullHelp() {
		for _, b := range col {
			if b.Enabled() && b.Help().Desc != "refresh" {
				t.Errorf("%q offered to a user that may not manage users", b.Help().Desc)
			}
		}
	}
}

// TestAccessReadOnly: in a read-only session the change keys are not offered, and the verbs
// are refused before a password is asked or a question opened, each refusal audited.
func TestAccessReadOnly(t *testing.T) {
	member := nodetest.Start(t)
	nodetest.AuthUsers(t, member.Endpoints())
	f := newFixture(t, member.Endpoints(), "root", nodetest.RootPassword, true)
	f.until("reader listed", func() bool { return f.line("reader ") == "reader yes app-reader" })
	for _, col := range f.m.FullHelp() {
		for _, b := range col {
			if b.Enabled() && !strings.Contains("up down top bottom refresh", b.Help().Desc) {
				t.Errorf("%q offered in a read-only session", b.Help().Desc)
			}
		}
	}
	for _, line := range []string{"user add mallory", "user delete reader", "role grant app-reader read /other/", "auth disable"} {
		verb, arg, _ := strings.Cut(line, " ")
		parse := map[string]func(string) (tea.Msg, error){"user": ParseUser, "role": ParseRole, "auth": ParseAuth}[verb]
		msg, err := parse(arg)
		if err != nil {
			t.Fatal(err)
		}
		f.flash = nil
		f.d.Send(msg)
		f.flashed("read-only")
		if f.m.InputFocused() {
			t.Fatalf("%s: a field or question opened in a read-only session:\n%s", line, f.screen())
		}
	}
	var got []string
	for _, e := range f.auditLog() {
		got = append(got, e[0]+" "+e[1]+" "+e[2])
	}
	want := []string{
		"user-add user mallory refused: read-only", "user-delete user reader refused: read-only",
		"permission-grant role app-reader /other/ (read) refused: read-only", "auth-disable  refused: read-only",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
