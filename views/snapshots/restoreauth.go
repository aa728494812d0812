package snapshots

import (
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode"
	"github.com/etcdeck/etcdeck/views/common"
)

// A backup of a cluster with authentication on, restored into the embedded member, makes it
// answer only that backup's users. R says so in its question (the file's status, read in a child
// process, tells), then asks a user and its password — after the typed word, so the password is
// held for the shortest time: from the enter that submits it into the restore's task, which
// checks the restored member with it and reconnects the console as that user. No message, log
// line or audit entry holds it; the field never echoes it.

// defaultRestoreUser is offered in the user field: the user every auth-enabled etcd has.
const defaultRestoreUser = "root"

// credStep is the open credentials field, if any.
type credStep int

const (
	credNone credStep = iota
	credUser
	credPassword
)

// credForm asks the user and the password of the backup.
type credForm struct {
	input textinput.Model
	step  credStep
	user  string // the user typed, while its password is asked
}

func newCredForm(st *common.Styles) credForm {
	in := textinput.New()
	in.SetStyles(st.TextInput)
	return credForm{input: in}
}

func (f *credForm) active() bool { return f.step != credNone }

func (f *credForm) setWidth(w int) {
	f.input.SetWidth(max(1, w-len([]rune(f.input.Prompt))-2))
}

// start opens the field of step s.
func (f *credForm) start(s credStep, width int) tea.Cmd {
	f.step = s
	f.input.EchoMode = textinput.EchoNormal
	switch s {
	case credUser:
		f.input.Prompt = "user of the backup: "
		f.input.SetValue(defaultRestoreUser)
	case credPassword:
		f.input.Prompt = "password of " + cluster.EscapeText(f.user) + " (not shown): "
		f.input.EchoMode = textinput.EchoNone
		f.input.SetValue("")
	}
	f.input.CursorEnd()
	f.setWidth(width)
	return f.input.Focus()
}

// close ends the form and forgets what was typed.
func (f *credForm) close() {
	f.step, f.user = credNone, ""
	f.input.SetValue("")
	f.input.Blur()
}

// view is the open field's line.
func (f *credForm) view() string { return f.input.View() }

// authOn reports whether the file's status says its cluster had authentication on.
func (m *Model) authOn(path string) bool {
	fs := m.statuses[path]
	return fs != nil && fs.st != nil && fs.st.Auth == embednode.AuthOn
}

// statusPending reports whether R must wait for path's status: it is not read yet, and will be.
func (m *Model) statusPending(path string) bool {
	fs := m.statuses[path]
	return m.exe != "" && (fs == nil || fs.loading)
}

// askCredentials opens the user field once the typed word confirmed a restore of a backup with
// authentication on.
func (m *Model) askCredentials() tea.Cmd {
	return m.restore.creds.start(credUser, m.width)
}

// credKey feeds a key (or a paste) to the open credentials field: enter takes the step, esc
// leaves without restoring.
func (m *Model) credKey(msg tea.Msg) tea.Cmd {
	f := &m.restore.creds
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "esc":
			f.close()
			m.restore.asked = ""
			return flashInfo("restore cancelled: nothing changed")
		case "enter":
			return m.credSubmit()
		}
	}
	var cmd tea.Cmd
	f.input, cmd = f.input.Update(msg)
	return cmd
}

// credSubmit takes the user, then the password, which goes straight into the restore.
func (m *Model) credSubmit() tea.Cmd {
	f := &m.restore.creds
	switch f.step {
	case credUser:
		user := strings.TrimSpace(f.input.Value())
		if user == "" {
			f.close()
			m.restore.asked = ""
			return flashWarn("nothing restored: the restored member answers only a user of the backup, and none was given")
		}
		f.user = user
		return f.start(credPassword, m.width)
	case credPassword:
		user, password := f.user, f.input.Value() // a password is taken as typed, spaces included
		f.close()
		if password == "" {
			m.restore.asked = ""
			return flashWarn("nothing restored: the restored member needs " + cluster.EscapeText(user) + "'s password")
		}
		return m.startRestore(user, password)
	}
	return nil
}
