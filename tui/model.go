// Package tui is the console's root model: it routes each message to the view that owns it,
// draws the status bar, the tabs, the help line, the help overlay and the command line, and runs
// the Bubble Tea program with panic recovery.
package tui

import (
	"strings"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
	"go.uber.org/zap"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/config"
	"github.com/etcdeck/etcdeck/keymap"
	"github.com/etcdeck/etcdeck/views/access"
	"github.com/etcdeck/etcdeck/views/clusterview"
	"github.com/etcdeck/etcdeck/views/common"
	findview "github.com/etcdeck/etcdeck/views/find"
	"github.com/etcdeck/etcdeck/views/keys"
	"github.com/etcdeck/etcdeck/views/leases"
	"github.com/etcdeck/etcdeck/views/usage"
)

// Minimum terminal size; below it the console shows one line saying so.
const (
	minWidth  = 60
	minHeight = 15
)

// chromeHeight is the status bar, the tab line and the help/command line.
const chromeHeight = 3

// Model is the root model: it owns the views, the status bar and the overlays and routes every
// message to its owner.
type Model struct {
	// sessionFrame is the shown session's state: its Common, member, views, command line…
	sessionFrame
	// stack holds the sessions underneath the one shown (a snapshot opened read-only sits on
	// the cluster's), each frame whole.
	stack []sessionFrame
	// makeViews builds a session's views (tests of the shell give views with fixed content).
	makeViews func(common.Common) [numViews]common.Component

	keys          *keymap.KeyMap
	width, height int
	// frame is the last frame rendered; frameOK says no message since changed what it shows
	// (the status poll's quiet ones, see status.quiet, and those the active view calls quiet,
	// see viewsQuiet), so View returns it as it is.
	frame   string
	frameOK bool
	// viewsQuiet says the last message went to the views and the active one said it changed
	// nothing it shows (common.Quieter).
	viewsQuiet bool

	status   status
	help     help.Model
	showHelp bool
	// overlayTop is the first line of the help or messages overlay shown (tui/overlay.go).
	overlayTop int
	// overlayCut says the overlay drawn last was longer than the screen (it scrolls).
	overlayCut bool
	// showMessages turns the help overlay into the message log (:messages), showContexts into
	// :ctx's list, showUsage into :usage's panel (the frame's usage).
	showMessages, showContexts, showUsage bool
	// contexts opens other clusters for :ctx (nil: no switching); ctxName is the active one.
	contexts Contexts
	ctxName  string
	// confirm asks before quitting while critical work runs.
	confirm common.Confirm
	// memberPanel shows the exited member's last lines (the frame's memberDown).
	memberPanel bool
	// restart restarts the embedded member (ctrl+r), one at a time whichever session is shown.
	restart *common.Task[uint64]
	// memberBusy is true while a restore stops and starts the member on purpose.
	memberBusy bool

	crash *crash
}

// New builds the root model over settings and a session (nil only in rendering tests); it fails
// only when settings.Keys names unknown actions or bad keys. log may be nil.
func New(settings *config.Settings, session *cluster.Session, log *zap.Logger, opts ...Option) (*Model, error) {
	m, err := newModel(settings, session, log, defaultViews)
	if err != nil {
		return nil, err
	}
	for _, o := range opts {
		o(m)
	}
	return m, nil
}

// newModel builds the root model around the views makeViews returns (tests of the shell give
// it views with fixed content).
func newModel(settings *config.Settings, session *cluster.Session, log *zap.Logger,
	makeViews func(common.Common) [numViews]common.Component) (*Model, error) {
	if settings == nil {
		settings = config.Defaults()
	}
	km := keymap.DefaultKeyMap()
	if err := km.Apply(settings.Keys); err != nil {
		return nil, err
	}
	st := common.NewStyles(settings.NoColor)
	c := common.Common{Settings: settings, Session: session, Styles: st, Keys: km, Log: log}
	// The status bar names what the session is connected to; without one (rendering tests),
	// what the settings name.
	conn, label := settings.Conn, ""
	var member cluster.Member
	if session != nil {
		label = session.Label
		if session.Client != nil {
			conn = session.Client.Config()
		}
		member = session.Member // NewSession made a nil *Child nil
	}
	if label == "" {
		label = strings.Join(conn.Endpoints, ",")
	}
	h := header{label: label, insecure: conn.Insecure(), readOnly: settings.ReadOnly}
	m := &Model{
		keys:      km,
		status:    newStatus(st, h),
		help:      help.New(),
		confirm:   common.NewConfirm(st),
		crash:     &crash{},
		makeViews: makeViews,
		restart:   newRestartTask(),
	}
	m.help.Styles = st.Help
	m.enter(m.newFrame(c, member, h, nil))
	return m, nil
}

// quitConfirmID is the ID of quit's question in ConfirmMsg.
const quitConfirmID = "tui.quit"

// Init starts the status poll, the member watch, every view's first command, and focuses the
// first view.
func (m *Model) Init() (cmd tea.Cmd) {
	defer m.recoverInto(&cmd)
	cmds := []tea.Cmd{m.status.restartPolling(m.common.Session), m.waitMember()}
	for _, v := range m.views {
		cmds = append(cmds, v.Init())
	}
	cmds = append(cmds, m.views[m.active].Focus())
	return m.crash.guard(tea.Batch(cmds...))
}

// show makes view i the one on screen: the view left is blurred (it stops polling) and the one
// shown focused (it resumes at once).
func (m *Model) show(i int) tea.Cmd {
	if i == m.active {
		return nil
	}
	m.views[m.active].Blur()
	m.active = i
	return m.views[i].Focus()
}

// Update routes one message.
func (m *Model) Update(msg tea.Msg) (_ tea.Model, cmd tea.Cmd) {
	defer m.recoverInto(&cmd)
	cmd = m.crash.guard(m.update(msg))
	// Drawing a frame costs more than an idle console does otherwise (grapheme widths, styles):
	// after a message that changed nothing, the frame drawn before it is still the frame.
	m.frameOK = m.frameOK && (m.status.quiet || m.viewsQuiet)
	return m, cmd
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	m.viewsQuiet = false
	if cmd, ok := m.status.update(msg); ok {
		if _, done := msg.(common.TaskDoneMsg); done && m.confirm.Active() && m.confirm.ID() == quitConfirmID &&
			len(m.status.critical()) == 0 {
			// q asked only because a write was running; it has ended: quit as asked (the
			// question would otherwise name a task that is no longer running).
			return tea.Batch(cmd, tea.Quit)
		}
		return cmd
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.setSize(msg.Width, msg.Height)
		return nil
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	case tea.KeyReleaseMsg:
		return nil // only presses act; releases come only from terminals asked to report them
	case tea.MouseMsg:
		return m.forward(m.active, msg)
	case tea.PasteMsg:
		// Pasted text is typing: it goes where keys would, never to every view.
		if m.confirm.Active() {
			return m.confirm.Update(msg)
		}
		if m.cmd.prompt.Active() {
			return m.cmd.update(msg)
		}
		return m.forward(m.active, msg)
	case common.GotoMsg:
		return tea.Batch(m.show(viewKeys), m.forward(viewKeys, msg))
	case common.WatchMsg:
		return tea.Batch(m.show(viewWatch), m.forward(viewWatch, msg))
	case findview.StartMsg:
		if !msg.InDir {
			if k, ok := m.views[viewKeys].(*keys.Model); ok {
				msg.Prefix = k.Path() // the directory open in the Keys view
			}
		}
		return tea.Batch(m.show(viewFind), m.forward(viewFind, msg))
	case leases.CommandMsg:
		return tea.Batch(m.show(viewLeases), m.forward(viewLeases, msg))
	case access.CommandMsg:
		return tea.Batch(m.show(viewAccess), m.forward(viewAccess, msg))
	case clusterview.ActionMsg:
		return tea.Batch(m.show(viewCluster), m.forward(viewCluster, msg))
	case keys.TimeTravelMsg:
		return tea.Batch(m.show(viewKeys), m.forward(viewKeys, msg))
	case common.ConfirmMsg:
		if msg.ID == quitConfirmID {
			if msg.Yes {
				return tea.Quit
			}
			return nil
		}
	case completeDueMsg:
		return m.cmd.completeDue(msg)
	case completionsMsg:
		m.cmd.completed(msg)
		return nil
	case openHelpMsg:
		m.showHelp, m.showMessages, m.showContexts, m.showUsage, m.overlayTop = true, false, false, false, 0
		return nil
	case openMessagesMsg:
		// The log is a page of the help overlay: esc and ? close it the same way.
		m.showHelp, m.showMessages, m.showContexts, m.showUsage, m.overlayTop = true, true, false, false, 0
		return nil
	case usage.OpenMsg:
		m.showHelp, m.showMessages, m.showContexts, m.showUsage, m.overlayTop = true, false, false, true, 0
		return m.usage.Open(msg.Prefix)
	case ctxMsg:
		return m.switchContext(msg)
	case ctxOpenedMsg:
		return m.contextOpened(msg)
	case quitRequestMsg:
		return m.requestQuit()
	case common.OpenSessionMsg:
		return m.openSession(msg)
	case common.CloseSessionMsg:
		return m.closeSession()
	case common.SessionClosedMsg:
		return m.sessionClosed(msg)
	case common.ReloadViewsMsg:
		if msg.Session != nil {
			return tea.Batch(m.swapSession(msg.Session), m.reloadViews())
		}
		return m.reloadViews()
	case common.MemberBusyMsg:
		m.memberBusy = msg.Busy
		if !msg.Busy {
			return m.waitMember()
		}
		return nil
	case memberExitedMsg:
		return m.memberExited(msg)
	}
	if cmd, ok := m.updateRestart(msg); ok {
		return cmd
	}
	if ok, cmd := m.usage.Update(msg); ok {
		return cmd
	}
	// Everything else (views' own results, ticks) goes to every view; each ignores what it does
	// not own.
	cmds := make([]tea.Cmd, 0, numViews+1)
	for i := range m.views {
		cmds = append(cmds, m.forward(i, msg))
	}
	// Only the active view is on screen: the others (and the sessions underneath) show what
	// they got when they are shown again, which draws a frame.
	q, ok := m.views[m.active].(common.Quieter)
	m.viewsQuiet = ok && q.Quiet()
	return tea.Batch(append(cmds, m.forwardUnder(msg))...)
}

func (m *Model) forward(i int, msg tea.Msg) tea.Cmd {
	v, cmd := m.views[i].Update(msg)
	m.views[i] = v
	return cmd
}

func (m *Model) setSize(w, h int) {
	m.width, m.height = w, h
	m.help.SetWidth(w - 1)
	m.cmd.prompt.SetWidth(w)
	m.confirm.SetWidth(w)
	ch := max(0, h-chromeHeight)
	for _, v := range m.views {
		v.SetSize(w, ch)
	}
}

// requestQuit quits at once unless a write that must not be interrupted is running; then it
// asks, naming it.
func (m *Model) requestQuit() tea.Cmd {
	if crit := m.status.critical(); len(crit) > 0 {
		m.confirm.Ask(quitConfirmID, strings.Join(crit, ", ")+" is running. Quit and interrupt it?")
		return nil
	}
	return tea.Quit
}

// Active is the index of the view on screen (0 Keys, 1 Watch, 2 Cluster, 3 Snapshots, 4 Leases).
func (m *Model) Active() int { return m.active }

// ActiveName is the name of the view on screen.
func (m *Model) ActiveName() string { return viewNames[m.active] }
