package common

import (
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
)

// ConfirmMsg is the answer to a Confirm question: ID is the one the caller gave Ask or
// AskTyped (naming the asking component, "snapshots.delete"), Session the session the question
// was asked in (ForSession), Yes whether the action was confirmed. It is a Result: the views of
// another session drop it, so only the asker acts.
type ConfirmMsg struct {
	ID      string
	Session uint64
	Yes     bool
}

// ResultSession is the session the question was asked in.
func (m ConfirmMsg) ResultSession() uint64 { return m.Session }

// Confirm asks before an action, in one line naming what will happen ("delete 1,204 keys under
// /registry/pods/?"). Ask takes y or n (esc and enter are no); AskTyped takes only the exact
// word typed and enter (a prefix, another case or a space more is not it). While open it takes
// every key, so the owner reports InputFocused; the answer comes back as a ConfirmMsg.
type Confirm struct {
	styles   *Styles
	session  uint64
	open     bool
	id       string
	question string
	word     string // "" for a yes/no question
	input    textinput.Model
}

// NewConfirm returns a closed Confirm.
func NewConfirm(st *Styles) Confirm {
	in := textinput.New()
	in.Prompt = "> "
	in.SetStyles(st.TextInput)
	return Confirm{styles: st, input: in}
}

// ForSession returns c answering for session sid (Common.SessionID): its ConfirmMsg carries
// it, so the same view of another session ignores the answer.
func (c Confirm) ForSession(sid uint64) Confirm {
	c.session = sid
	return c
}

// Ask opens a yes/no question; what says what will happen, e.g. "restore of snap.db is
// running. Quit and interrupt it?".
func (c *Confirm) Ask(id, what string) {
	c.open, c.id, c.question, c.word = true, id, what, ""
	c.input.Blur()
}

// AskTyped opens a question answered by typing word exactly (a path such as /registry/pods/,
// or a word such as restore) and enter; anything else, or esc, is no.
func (c *Confirm) AskTyped(id, what, word string) tea.Cmd {
	c.open, c.id, c.question, c.word = true, id, what, word
	c.input.SetValue("")
	return c.input.Focus()
}

// Active is true while a question is open.
func (c *Confirm) Active() bool { return c.open }

// ID is the open question's ID ("" when closed).
func (c *Confirm) ID() string {
	if !c.open {
		return ""
	}
	return c.id
}

// SetWidth limits the typed field to w cells.
func (c *Confirm) SetWidth(w int) { c.input.SetWidth(max(1, w-4)) }

// Update feeds a message to an open question; the command returned carries the ConfirmMsg once
// the question is answered. Closed, it does nothing.
func (c *Confirm) Update(msg tea.Msg) tea.Cmd {
	if !c.open {
		return nil
	}
	k, isKey := msg.(tea.KeyPressMsg)
	if c.word == "" {
		if !isKey {
			return nil
		}
		switch k.String() {
		case "y", "Y":
			return c.answer(true)
		case "n", "N", "esc", "enter":
			return c.answer(false)
		}
		return nil // other keys leave the question open: nothing happens by accident
	}
	if isKey {
		switch k.String() {
		case "enter":
			return c.answer(c.input.Value() == c.word)
		case "esc":
			return c.answer(false)
		}
	}
	var cmd tea.Cmd
	c.input, cmd = c.input.Update(msg)
	return cmd
}

func (c *Confirm) answer(yes bool) tea.Cmd {
	id := c.id
	c.open, c.id, c.question, c.word = false, "", "", ""
	c.input.Blur()
	c.input.SetValue("")
	return Cmd(ConfirmMsg{ID: id, Session: c.session, Yes: yes})
}

// View renders the question on one line: the warning, then "y/N" or the field with what to
// type. Empty when closed.
func (c *Confirm) View() string {
	if !c.open {
		return ""
	}
	st := c.styles
	// The question names keys, files and members: the one escaping rule applies.
	q := " " + st.Warning.Render(cluster.EscapeText(c.question)) + " "
	if c.word == "" {
		return q + st.Title.Render("y/N")
	}
	return q + st.Muted.Render("type ") + st.Title.Render(cluster.EscapeText(c.word)) + st.Muted.Render(" and enter:") + " " + c.input.View()
}
