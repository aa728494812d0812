package tui

import (
	"context"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/config"
	"github.com/etcdeck/etcdeck/views/common"
)

// :ctx switches the cluster at runtime. The session shown ends — its context is cancelled and
// its client closed, so every RPC, watch, poll and connection of it stops — and a frame of new
// views is built on the new session in its place. Connecting is the program's (main starts the
// embedded member, opens the audit log): it gives the console a Contexts.

// Contexts lists and opens the config's contexts and the embedded member for :ctx.
type Contexts interface {
	// List is every context :ctx offers, the embedded member last.
	List() []config.ContextInfo
	// Open connects to the context named. The embedded member, once started, runs until the
	// console quits, so switching back to it is instant.
	Open(ctx context.Context, name string) (Opened, error)
}

// Opened is a session Contexts.Open connected.
type Opened struct {
	Session  *cluster.Session
	Settings *config.Settings
	// Release frees what the session stands on besides its client (its audit log); may be nil.
	Release func() error
}

// Option configures the console at Run.
type Option func(*Model)

// WithContexts enables :ctx over cs.
func WithContexts(cs Contexts, active string) Option {
	return func(m *Model) { m.contexts, m.ctxName = cs, active }
}

// ctxMsg is `:ctx` (name "": list them) or `:ctx NAME`.
type ctxMsg struct{ name string }

// ctxOpenedMsg is the end of connecting to context name.
type ctxOpenedMsg struct {
	name   string
	opened Opened
	err    error
}

func runCtx(arg string) (tea.Msg, error) { return ctxMsg{name: arg}, nil }

// switchContext lists the contexts, or connects to the one named off the UI loop.
func (m *Model) switchContext(msg ctxMsg) tea.Cmd {
	if m.contexts == nil {
		return m.status.setFlash(common.FlashWarn, "no contexts to switch to here")
	}
	if msg.name == "" {
		m.showHelp, m.showMessages, m.showContexts, m.showUsage, m.overlayTop = true, false, true, false, 0
		return nil
	}
	if len(m.stack) > 0 {
		return m.status.setFlash(common.FlashWarn, "a snapshot is open: :close it before switching context")
	}
	cs, name := m.contexts, msg.name
	label := "connecting to " + name
	return tea.Batch(m.status.setFlash(common.FlashInfo, label+"…"), func() tea.Msg {
		o, err := cs.Open(context.Background(), name)
		return ctxOpenedMsg{name: name, opened: o, err: err}
	})
}

// contextOpened ends the shown session and shows the new one: a failure leaves the shown
// session as it was.
func (m *Model) contextOpened(msg ctxOpenedMsg) tea.Cmd {
	if msg.err != nil {
		return m.status.setFlash(common.FlashError, ":ctx "+msg.name+": "+msg.err.Error())
	}
	o := msg.opened
	if len(m.stack) > 0 { // a snapshot was opened while connecting: keep it, drop this one
		o.Session.End()
		if o.Release != nil {
			_ = o.Release()
		}
		return m.status.setFlash(common.FlashWarn, ":ctx "+msg.name+": a snapshot was opened meanwhile; :close it first")
	}
	m.views[m.active].Blur()
	old, release := m.common.Session, m.close
	if old != nil {
		old.End() // cancels every RPC, watch and poll of it and closes its client
	}
	if release != nil {
		_ = release()
	}
	c := m.common
	c.Session = o.Session
	if o.Settings != nil {
		c.Settings = o.Settings
	}
	m.ctxName = msg.name
	h := header{label: o.Session.Label, readOnly: o.Session.ReadOnly()}
	if o.Session.Client != nil {
		h.insecure = o.Session.Client.Config().Insecure()
	}
	m.enter(m.newFrame(c, o.Session.Member, h, o.Release))
	m.memberPanel = false
	m.keys.Global.RestartMember.SetEnabled(false)
	cmds := []tea.Cmd{m.startViews(), m.waitMember(),
		m.status.setFlash(common.FlashInfo, "switched to "+msg.name)}
	for _, w := range c.Settings.Warnings {
		cmds = append(cmds, m.status.setFlash(common.FlashWarn, w))
	}
	return tea.Batch(cmds...)
}

// contextsView is :ctx's list: name, endpoints, user and read-only of each context, the active
// one marked; never a password.
func (m *Model) contextsView() string {
	st := m.common.Styles
	g := m.keys.Global
	var b strings.Builder
	b.WriteString(" " + st.OverlayTitle.Render("Contexts") + "  " +
		st.Muted.Render(common.Hints(common.BindingHint(g.Back, "close"), ":ctx NAME switches")) + "\n\n")
	list := m.contexts.List()
	nameW := len("NAME")
	for _, c := range list {
		nameW = max(nameW, len(cluster.EscapeText(c.Name)))
	}
	b.WriteString(st.Muted.Render(fmt.Sprintf("   %-*s  %-9s  %-12s  %s", nameW, "NAME", "READ-ONLY", "USER", "ENDPOINTS")) + "\n")
	for _, c := range list {
		mark := "  "
		if c.Name == m.ctxName {
			mark = "● "
		}
		ro := "no"
		if c.ReadOnly {
			ro = "yes"
		}
		eps := strings.Join(c.Endpoints, ",")
		if c.Name == config.EmbeddedContext && eps == "" {
			eps = "the embedded member (kept running until quit)"
		}
		user := c.User
		if user == "" {
			user = "-"
		}
		b.WriteString(" " + mark + cluster.EscapeText(fmt.Sprintf("%-*s  %-9s  %-12s  %s", nameW, c.Name, ro, user, eps)) + "\n")
	}
	return b.String()
}
