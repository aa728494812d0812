package tui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/keymap"
	"github.com/etcdeck/etcdeck/views/access"
	"github.com/etcdeck/etcdeck/views/clusterview"
	"github.com/etcdeck/etcdeck/views/common"
	findview "github.com/etcdeck/etcdeck/views/find"
	"github.com/etcdeck/etcdeck/views/keys"
	"github.com/etcdeck/etcdeck/views/leases"
	"github.com/etcdeck/etcdeck/views/snapshots"
	"github.com/etcdeck/etcdeck/views/watch"
)

// The views the root routes messages to by name (a GotoMsg to Keys, a WatchMsg to Watch); their
// index is their place in viewTable. A view nothing routes to needs no constant.
const (
	viewKeys = iota
	viewWatch
	viewCluster
	viewSnapshots
	viewAccess
	viewLeases
	viewFind
)

// viewDef is one view of the console: everything the root knows of it.
type viewDef struct {
	// name titles its tab and its help.
	name string
	// num is the number its tab shows and its default key: the issues fix them (6 Leases), and
	// a view that has not landed yet leaves its number free rather than shifting the others.
	num int
	// scope is its keymap scope: the config's keys: section names its actions "<scope>.<action>"
	// and the help names them so.
	scope string
	// key is the global binding that shows it; its default key is the number its tab shows.
	key func(*keymap.Global) *key.Binding
	// make builds it on a session.
	make func(common.Common) common.Component
}

// viewTable is every view, in tab order. Adding a view is an entry here, its bindings in
// keymap/bindings.go (its own scope and the number key) and its package.
var viewTable = [...]viewDef{
	viewKeys: {name: "Keys", num: 1, scope: "keys",
		key:  func(g *keymap.Global) *key.Binding { return &g.ViewKeys },
		make: func(c common.Common) common.Component { return keys.New(c) }},
	viewWatch: {name: "Watch", num: 2, scope: "watch",
		key:  func(g *keymap.Global) *key.Binding { return &g.ViewWatch },
		make: func(c common.Common) common.Component { return watch.New(c) }},
	viewCluster: {name: "Cluster", num: 3, scope: "cluster",
		key:  func(g *keymap.Global) *key.Binding { return &g.ViewCluster },
		make: func(c common.Common) common.Component { return clusterview.New(c) }},
	viewSnapshots: {name: "Snapshots", num: 4, scope: "snapshots",
		key:  func(g *keymap.Global) *key.Binding { return &g.ViewSnapshots },
		make: func(c common.Common) common.Component { return snapshots.New(c) }},
	viewAccess: {name: "Access", num: 5, scope: "access",
		key:  func(g *keymap.Global) *key.Binding { return &g.ViewAccess },
		make: func(c common.Common) common.Component { return access.New(c) }},
	viewLeases: {name: "Leases", num: 6, scope: "leases",
		key:  func(g *keymap.Global) *key.Binding { return &g.ViewLeases },
		make: func(c common.Common) common.Component { return leases.New(c) }},
	viewFind: {name: "Find", num: 7, scope: "find",
		key:  func(g *keymap.Global) *key.Binding { return &g.ViewFind },
		make: func(c common.Common) common.Component { return findview.New(c) }},
}

// numViews is how many views there are.
const numViews = len(viewTable)

// viewNames are the views' names in tab order.
var viewNames = func() (names [numViews]string) {
	for i, v := range viewTable {
		names[i] = v.name
	}
	return names
}()

// defaultViews builds every view of viewTable on c, in tab order.
func defaultViews(c common.Common) (views [numViews]common.Component) {
	for i, v := range viewTable {
		views[i] = v.make(c)
	}
	return views
}

// viewFor is the index of the view whose key msg is; ok is false when it is none's.
func (m *Model) viewFor(msg tea.KeyPressMsg) (int, bool) {
	for i, v := range viewTable {
		if key.Matches(msg, *v.key(&m.keys.Global)) {
			return i, true
		}
	}
	return 0, false
}
