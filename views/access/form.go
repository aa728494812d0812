package access

import (
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/views/common"
)

// The one-line fields the view asks in: a new user's name, its password twice (never echoed),
// a new role's name, the role to grant or revoke, the permission to grant. The password lives
// in the form between the two entries only, and goes from there into the write command alone:
// no message, log line or audit entry holds it.

type step int

const (
	askNone step = iota
	askUserName
	askPassword
	askPasswordAgain
	askRoleName
	askGrantRole
	askRevokeRole
	askPermission
)

// form is the open field, if any.
type form struct {
	input    textinput.Model
	step     step
	subject  string // the user or role the field is about
	password string // the first entry, while the second is asked
	width    int
}

func newForm(st *common.Styles) form {
	in := textinput.New()
	in.SetStyles(st.TextInput)
	return form{input: in}
}

func (f *form) active() bool { return f.step != askNone }

func (f *form) setWidth(w int) {
	f.width = w
	f.input.SetWidth(max(1, w-len([]rune(f.input.Prompt))-1))
}

// start opens the field of step s about subject, holding value.
func (f *form) start(s step, subject, value string) tea.Cmd {
	f.step, f.subject = s, subject
	f.input.EchoMode = textinput.EchoNormal
	f.input.Placeholder = ""
	f.input.ShowSuggestions = false
	subj := cluster.EscapeText(subject)
	switch s {
	case askUserName:
		f.input.Prompt = "new user: "
	case askPassword:
		f.input.Prompt = "password for " + subj + ": "
		f.input.EchoMode = textinput.EchoNone
	case askPasswordAgain:
		f.input.Prompt = "the password again: "
		f.input.EchoMode = textinput.EchoNone
	case askRoleName:
		f.input.Prompt = "new role: "
	case askGrantRole:
		f.input.Prompt = "grant user " + subj + " the role: "
	case askRevokeRole:
		f.input.Prompt = "revoke from user " + subj + " the role: "
	case askPermission:
		f.input.Prompt = "grant role " + subj + ": "
		f.input.Placeholder = "read|write|readwrite KEY  (/app/ a prefix, /a /b a range, * every key)"
	}
	f.input.SetValue(value)
	f.input.CursorEnd()
	f.setWidth(f.width)
	return f.input.Focus()
}

// close ends the form and forgets the password.
func (f *form) close() {
	f.step, f.subject, f.password = askNone, "", ""
	f.input.SetValue("")
	f.input.Blur()
}

// suggest offers words with tab (role names).
func (f *form) suggest(words []string) {
	f.input.ShowSuggestions = len(words) > 0
	f.input.SetSuggestions(words)
}

// update feeds one message to the open field; enter submits the step, esc leaves.
func (f *form) update(m *Model, msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "enter":
			return f.submit(m)
		case "esc":
			f.close()
			return common.Flash(common.FlashInfo, "cancelled: nothing changed")
		}
	}
	var cmd tea.Cmd
	f.input, cmd = f.input.Update(msg)
	return cmd
}

// submit takes the value of the step: the next step, or the change.
func (f *form) submit(m *Model) tea.Cmd {
	v := strings.TrimSpace(f.input.Value())
	if f.step == askPassword || f.step == askPasswordAgain {
		v = f.input.Value() // a password is taken as typed, spaces included
	}
	subject := f.subject
	switch f.step {
	case askUserName:
		if v == "" {
			f.close()
			return common.Flash(common.FlashWarn, "no user added: a user needs a name")
		}
		return f.start(askPassword, v, "")
	case askPassword:
		if v == "" {
			f.close()
			return common.Flash(common.FlashWarn, "user "+cluster.EscapeText(subject)+" not added: a password is needed")
		}
		f.password = v
		return f.start(askPasswordAgain, subject, "")
	case askPasswordAgain:
		first := f.password
		f.close()
		if v != first {
			return common.Flash(common.FlashError, "user "+cluster.EscapeText(subject)+" not added: the two passwords differ")
		}
		return m.write(change{op: opAddUser, user: subject}, first)
	}
	was := f.step
	f.close()
	if v == "" {
		return common.Flash(common.FlashInfo, "nothing changed")
	}
	switch was {
	case askRoleName:
		return m.write(change{op: opAddRole, role: v}, "")
	case askGrantRole:
		return m.write(change{op: opGrantRole, user: subject, role: v}, "")
	case askRevokeRole:
		return m.write(change{op: opRevokeRole, user: subject, role: v}, "")
	case askPermission:
		p, err := cluster.ParsePerm(v)
		if err != nil {
			return common.Flash(common.FlashError, "role "+cluster.EscapeText(subject)+" unchanged: "+err.Error())
		}
		return m.write(change{op: opGrantPerm, role: subject, perm: p}, "")
	}
	return nil
}

// view is the open field's line.
func (f *form) view() string { return f.input.View() }
