package tui

import (
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/etcdeck/etcdeck/views/common"
)

// openMessagesMsg opens the message log (:messages).
type openMessagesMsg struct{}

// maxMessages is how many past flashes and task results :messages keeps: enough for a session's
// recent work, bounded so a long session does not grow without end.
const maxMessages = 100

// logged is one flash or task result as it was shown, kept whole: the bottom line cuts a long
// one (a member name, a path where the old data went), the log does not.
type logged struct {
	at    time.Time
	level common.FlashLevel
	text  string // already escaped by setFlash
}

// record keeps a flash in the log, dropping the oldest beyond maxMessages.
func (s *status) record(level common.FlashLevel, text string) {
	s.log = append(s.log, logged{at: time.Now(), level: level, text: text})
	if n := len(s.log) - maxMessages; n > 0 {
		s.log = append(s.log[:0], s.log[n:]...)
	}
}

// messagesView is the log overlay, newest first, each message wrapped to the width in full.
func (m *Model) messagesView() string {
	st := m.common.Styles
	g := m.keys.Global
	var b strings.Builder
	b.WriteString(" " + st.OverlayTitle.Render("Messages") + "  " +
		st.Muted.Render(common.Hints(common.BindingHint(g.Back, "close"))) + "\n\n")
	if len(m.status.log) == 0 {
		b.WriteString(" " + st.Muted.Render("no messages yet"))
		return b.String()
	}
	const stamp = "15:04:05 "
	indent := strings.Repeat(" ", 1+len(stamp))
	for i := len(m.status.log) - 1; i >= 0; i-- {
		l := m.status.log[i]
		style := st.Muted
		switch l.level {
		case common.FlashError:
			style = st.Error
		case common.FlashWarn:
			style = st.Warning
		}
		lines := strings.Split(ansi.Wrap(l.text, max(10, m.width-len(indent)-1), ""), "\n")
		for j, line := range lines {
			if j == 0 {
				b.WriteString(" " + st.Muted.Render(l.at.Format(stamp)))
			} else {
				b.WriteString(indent)
			}
			b.WriteString(style.Render(line) + "\n")
		}
	}
	return b.String()
}
