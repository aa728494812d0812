// Package keys is the Keys view: etcd's flat keyspace browsed as directories split on "/". Each
// directory is listed with cluster.ListDir (never reading the keys below a large child), pages
// in as the cursor nears the end, fetches the counts and value sizes of the rows on screen, and
// stays live through a watch from the listing's revision + 1.
//
// The root directory "" lists keys that do not start with "/" and one directory row shown as
// "/" holding every key that does; the view opens at "/". An empty name is shown as "" (a key
// equal to its directory's path, like "/registry/") or "/" (a directory "a//…").
package keys

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/views/common"
)

// Paging: the first page is small so the first screen comes fast; later pages are bigger.
const (
	firstPageRows = 50
	pageRows      = 2000
)

// Model is the Keys view.
type Model struct {
	common        common.Common
	width, height int
	sep           byte

	dir      string        // the open directory, e.g. "/registry/"
	rows     []cluster.Row // loaded rows, sorted by name
	visible  []int         // indices into rows that pass the filter
	rev      int64         // revision of the listing
	next     string        // where the next page starts; "" when complete
	strategy cluster.Strategy
	gen      int // bumps on every navigation, reload and filter: stale results are dropped
	loading  bool
	paging   bool
	err      error
	stats    string // what the last listing cost, for the status line

	cursor, offset int
	selectName     string // row to select once the listing arrives
	// pending holds the rows whose details are being fetched, each with the change to its key
	// count from events applied since the fetch's revision.
	pending map[string]int64
	// pageAfterDetails: the next page waits for the first screen's details (listed).
	pageAfterDetails bool

	// appliedRev is the revision up to which the view has applied every change (the listing's,
	// then the watch's); details are read there so events are never counted twice or missed.
	appliedRev int64
	midRev     bool // the last batch ended inside a revision: details wait for the rest
	// progressAsked: a count read found appliedRev compacted and the watch was asked for a
	// progress notification; a second compacted read before appliedRev moves reloads instead.
	progressAsked bool
	held          []cluster.Event // changes beyond the loaded pages, see held.go
	heldLost      bool            // held overflowed: the next page lists again at a fresh revision
	holdMax       int

	filter       common.Prompt
	filterText   string // raw bytes: names must start with it
	substring    bool   // filter text began with "*": substring over loaded rows
	filteredList string // the name prefix the server narrowed the listing to
	remaining    int64  // keys from next on, for a substring filter; -1 unknown
	remainingFor string // the next the count was asked for

	live   *liveWatch
	hidden bool // another view is on screen: no live watch (liveresume.go)
	// liveCatchUp: the most revisions a resumed watch replays rather than a new listing.
	liveCatchUp int64
	// permitted: the directory was refused and its rows are the user's permitted entries below
	// it (permitted.go), each with what the roles allow; deniedNote says why. nil otherwise.
	permitted  map[string]string
	deniedNote string

	// The panes beside the list (panes.go): width and height above are the list's share of
	// fullW×fullH while a pane is open. focus says which pane gets keys (focus.go).
	fullW, fullH int
	focus        focus
	pane         pane
	insp         inspector
	hist         historyPane
	pinRev       int64 // > 0: the keyspace as it was at this revision (timetravel.go)
	edit         editor
	ask          prompts
	prev         preview   // the inspector following the cursor (preview.go)
	home         string    // the directory the view opened at: esc goes up to it, no further
	outside      int64     // keys not under the separator, said at "/" (outside.go)
	outsideGen   int       // the generation the last count was asked in
	outsideWait  bool      // that count is not in yet
	names        nameHints // child names of directories listed before (namehints.go)
	probe        string    // a sibling to list for names before the next first page (cluster.ProbeSibling)
	probeMin     int64     // cluster.ProbeMin (tests lower it)
}

var _ common.Component = (*Model)(nil)

// New builds the Keys view at "/".
func New(c common.Common) *Model {
	c = c.Defaults()
	sep := c.Settings.Sep // config applied its default
	return &Model{common: c, sep: sep, dir: string(sep), home: string(sep), pending: map[string]int64{}, remaining: -1,
		holdMax: defaultHoldMax, liveCatchUp: defaultLiveCatchUp, probeMin: cluster.ProbeMin,
		filter: common.NewPrompt(c.Styles, "/", "name prefix · *text searches loaded rows"),
		insp:   inspector{c: c}, hist: historyPane{c: c}, edit: newEditor(c), ask: newPrompts(c)}
}

// Path is the directory the view shows.
func (m *Model) Path() string { return m.dir }

// Init lists the first directory: the settings' prefix (--prefix) when one is given, else "/".
func (m *Model) Init() tea.Cmd {
	if p := m.common.Settings.Prefix; p != "" {
		return m.gotoPath(p)
	}
	return m.open(m.dir, "")
}

// SetSize sets the content area.
func (m *Model) SetSize(width, height int) {
	m.fullW, m.fullH = width, height
	m.layout()
	m.filter.SetWidth(width)
	m.ask.setWidth(width)
	m.clamp()
}

// InputFocused is true while the filter field, an edit prompt or a question is open.
func (m *Model) InputFocused() bool {
	return m.filter.Active() || m.focused() == focusPrompt || m.focused() == focusEditor
}

// listHeight is the number of rows on screen: the title, column header and status line take 3.
func (m *Model) listHeight() int {
	// The title, the header and the status line, and a row for each line the status wraps to.
	h := m.height - 3 - strings.Count(m.statusText(), "\n")
	if m.showsOutside() {
		h-- // and the note about keys outside "/"
	}
	return max(1, h)
}

// listKey is the list's own keys: moving, opening, filtering, and the actions on the selected
// row (history, copy, new, edit, delete). The open filter field has its keys first (routeKey).
func (m *Model) listKey(msg tea.KeyPressMsg) tea.Cmd {
	km := m.common.Keys.Keys
	page := m.listHeight()
	r, sel := m.selected()
	leaf := sel && r.Leaf
	switch {
	case key.Matches(msg, km.History) && leaf:
		return m.openHistory(m.dir + r.Name)
	case key.Matches(msg, km.CopyKey) && sel:
		return copyKeyCmd(m.dir + r.Name)
	case writeKey(msg, km.New):
		return m.startNew()
	case writeKey(msg, km.DeleteDir) && sel && r.Dir:
		return m.askDeleteDir()
	case writeKey(msg, km.Edit) && leaf:
		if cmd := m.refusal("put", m.dir+r.Name); cmd != nil {
			return cmd
		}
		cmd := m.openInspector(r)
		m.edit.whenShown = true // the edit starts from the value the inspector is about to show
		return cmd
	case writeKey(msg, km.Delete) && leaf:
		return m.askDeleteSelected()
	case key.Matches(msg, km.Up):
		return m.move(-1)
	case key.Matches(msg, km.Down):
		return m.move(1)
	case key.Matches(msg, km.PageUp):
		return m.move(-page)
	case key.Matches(msg, km.PageDown):
		return m.move(page)
	case key.Matches(msg, km.Top):
		return m.move(-len(m.rows) - 1)
	case key.Matches(msg, km.Bottom):
		return m.move(len(m.rows) + 1)
	case key.Matches(msg, km.Open):
		return m.openSelected()
	case key.Matches(msg, m.common.Keys.Global.NextView) && m.TakesTab():
		r, _ := m.selected()
		return m.focusValue(r)
	case key.Matches(msg, km.Parent):
		return m.up()
	case key.Matches(msg, km.Reload):
		return m.open(m.dir, m.selectedName())
	case key.Matches(msg, km.Watch):
		return common.Cmd(common.WatchMsg{Prefix: m.dir})
	case key.Matches(msg, km.Filter):
		return m.filter.Open(cluster.EscapeKey(m.filterText))
	case key.Matches(msg, m.common.Keys.Global.Back):
		cmd, _ := m.listBack()
		return cmd
	}
	return nil
}

// selected returns the row under the cursor.
func (m *Model) selected() (cluster.Row, bool) {
	if m.cursor < 0 || m.cursor >= len(m.visible) {
		return cluster.Row{}, false
	}
	return m.rows[m.visible[m.cursor]], true
}

func (m *Model) selectedName() string {
	if r, ok := m.selected(); ok {
		return r.Name
	}
	return ""
}

// move shifts the cursor by delta rows, then loads the next page when the cursor nears the end
// and the details of rows that came on screen.
func (m *Model) move(delta int) tea.Cmd {
	m.cursor += delta
	m.clamp()
	return tea.Batch(m.pageIfNear(true), m.fetchDetails())
}

// clamp keeps the cursor on a row and the row on screen.
func (m *Model) clamp() {
	m.cursor = max(0, min(m.cursor, len(m.visible)-1))
	h := m.listHeight()
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+h {
		m.offset = m.cursor - h + 1
	}
	m.offset = max(0, min(m.offset, len(m.visible)-h))
}

// openSelected enters the directory under the cursor, or gives a key's value the focus (read
// now unless the preview shows it already).
func (m *Model) openSelected() tea.Cmd {
	r, ok := m.selected()
	switch {
	case !ok:
		return nil
	case r.Dir:
		dir := m.dir + r.Name + string(m.sep)
		if sib, ok := cluster.ProbeSibling(m.rows, r.Name, m.probeMin); ok && m.names.forDir(dir, m.sep) == nil {
			m.probe = m.dir + sib + string(m.sep) // listed first for names (listCmd)
		}
		return m.open(dir, "")
	default:
		return m.focusValue(r)
	}
}

// up opens the parent directory and selects the directory we came from.
func (m *Model) up() tea.Cmd {
	if m.dir == "" {
		return nil
	}
	parent, name := splitPath(strings.TrimSuffix(m.dir, string(m.sep)), m.sep)
	return m.open(parent, name)
}

// gotoPath opens the directory of path (a directory when it ends with the separator) and
// selects the key it names. Escapes as EscapeKey writes them are understood.
func (m *Model) gotoPath(path string) tea.Cmd {
	raw, err := cluster.UnescapeKey(path)
	if err != nil {
		return common.Flash(common.FlashError, err.Error())
	}
	if raw == "" || strings.HasSuffix(raw, string(m.sep)) {
		return m.open(raw, "")
	}
	dir, name := splitPath(raw, m.sep)
	return m.open(dir, name)
}

// splitPath cuts a key into its directory (ending with sep, or "") and last segment.
func splitPath(p string, sep byte) (dir, name string) {
	if i := strings.LastIndexByte(p, sep); i >= 0 {
		return p[:i+1], p[i+1:]
	}
	return "", p
}

// ShortHelp lists the view's main bindings.
func (m *Model) ShortHelp() []key.Binding { m.syncBindings(); return m.common.Keys.Keys.ShortHelp() }

// FullHelp lists all the view's bindings.
func (m *Model) FullHelp() [][]key.Binding { m.syncBindings(); return m.common.Keys.Keys.FullHelp() }
