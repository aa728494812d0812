package common

import (
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/etcdeck/etcdeck/cluster"
)

// ConfirmMsg is the answer to a Confirm question: ID is the one the caller gave Ask or
// AskTyped (naming the asking component, "snapshots.delete"), Session the session the question
// was asked in (ForSession), Yes whether the action was confirmed, Cancelled whether the user
// left with esc (a choice, not a mistyped word: the owner says "cancelled", not what to type).
// It is a Result: the views of another session drop it, so only the asker acts.
type ConfirmMsg struct {
	ID        string
	Session   uint64
	Yes       bool
	Cancelled bool
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
	width    int
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
// SetWidth wraps the question to w cells and limits the typed field to w cells.
func (c *Confirm) SetWidth(w int) {
	c.width = w
	c.input.SetWidth(max(1, w-4))
}

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
		case "n", "N", "enter":
			return c.answer(false)
		case "esc":
			return c.cancel()
		}
		return nil // other keys leave the question open: nothing happens by accident
	}
	if isKey {
		switch k.String() {
		case "enter":
			return c.answer(c.input.Value() == c.word)
		case "esc":
			return c.cancel()
		}
	}
	var cmd tea.Cmd
	c.input, cmd = c.input.Update(msg)
	return cmd
}

func (c *Confirm) answer(yes bool) tea.Cmd { return c.close(ConfirmMsg{ID: c.id, Yes: yes}) }

func (c *Confirm) cancel() tea.Cmd { return c.close(ConfirmMsg{ID: c.id, Cancelled: true}) }

func (c *Confirm) close(msg ConfirmMsg) tea.Cmd {
	c.open, c.id, c.question, c.word = false, "", "", ""
	c.input.Blur()
	c.input.SetValue("")
	msg.Session = c.session
	return Cmd(msg)
}

// View renders the question wrapped onto as many lines as it needs at the width given to
// SetWidth, so what will happen, the exact text to type and what was typed are all on screen
// even with a 63-character file name or a 100-byte prefix: the warning, then "y/N", or a line
// "type <word> and enter:" and the field on a line of its own. Empty when closed.
func (c *Confirm) View() string {
	if !c.open {
		return ""
	}
	st := c.styles
	w := c.width
	if w <= 2 {
		w = 80
	}
	// The question names keys, files and members: the one escaping rule applies.
	q := cluster.EscapeText(c.question)
	if c.word == "" {
		return wrapStyled(q+" y/N", w, st.Warning)
	}
	return wrapStyled(q, w, st.Warning) + "\n" +
		wrapStyled("type "+cluster.EscapeText(c.word)+" and enter:", w, st.Title) + "\n" +
		" " + c.input.View()
}

// wrapStyled breaks plain text between words (and inside a word longer than the line, such as
// a long key) into lines of w-1 cells after a one-space margin, each rendered with style.
func wrapStyled(text string, w int, style lipgloss.Style) string {
	lines := strings.Split(ansi.Wrap(text, max(1, w-2), ""), "\n")
	for i, l := range lines {
		lines[i] = " " + style.Render(l)
	}
	return strings.Join(lines, "\n")
}

// Height is how many lines View takes now (0 when closed): the owner gives them up at the bottom.
func (c *Confirm) Height() int {
	if !c.open {
		return 0
	}
	return strings.Count(c.View(), "\n") + 1
}
