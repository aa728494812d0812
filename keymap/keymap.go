// Package keymap holds every key binding of the console: one KeyMap per view plus the global
// one, built by DefaultKeyMap and adjusted by the config file's overrides. Help screens are
// generated from these bindings, so a binding disabled here disappears from help too.
package keymap

import (
	"fmt"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
)

// KeyMap is the whole set of bindings: the global ones and one group per view.
type KeyMap struct {
	Global    Global
	Keys      Keys
	Watch     Watch
	Cluster   Cluster
	Snapshots Snapshots
}

// Global bindings work in every view, except while a text field has focus.
type Global struct {
	NextView      key.Binding
	PrevView      key.Binding
	ViewKeys      key.Binding
	ViewWatch     key.Binding
	ViewCluster   key.Binding
	ViewSnapshots key.Binding
	Help          key.Binding
	Command       key.Binding
	Quit          key.Binding
	// Interrupt quits too, and also works while a text field has focus.
	Interrupt key.Binding
	Back      key.Binding
	// RestartMember restarts the embedded member after it exited; enabled only then.
	RestartMember key.Binding
}

// Keys are the Keys view's bindings (browsing the keyspace as directories).
type Keys struct {
	Up       key.Binding
	Down     key.Binding
	Open     key.Binding
	Parent   key.Binding
	Top      key.Binding
	Bottom   key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Reload   key.Binding
	Watch    key.Binding
	Filter   key.Binding
}

// Watch are the Watch view's bindings (a live stream of events under a prefix).
type Watch struct {
	Up     key.Binding
	Down   key.Binding
	Top    key.Binding
	Bottom key.Binding
	Pause  key.Binding
	Clear  key.Binding
	Filter key.Binding
	// Detail opens or closes the selected event's value and diff under the list.
	Detail key.Binding
	// Values, Regexp, Puts and Deletes toggle how the filter matches: on values too, as a
	// regular expression, and which kinds of event show.
	Values  key.Binding
	Regexp  key.Binding
	Puts    key.Binding
	Deletes key.Binding
	Export  key.Binding
	Alert   key.Binding
}

// Cluster are the Cluster view's bindings (members, health, alarms, maintenance).
type Cluster struct {
	Up      key.Binding
	Down    key.Binding
	Refresh key.Binding
	Defrag  key.Binding
}

// Snapshots are the Snapshots view's bindings (saving and restoring snapshots).
type Snapshots struct {
	Up      key.Binding
	Down    key.Binding
	Save    key.Binding
	Restore key.Binding
	Refresh key.Binding
}

func bind(help string, desc string, keys ...string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
}

// DefaultKeyMap returns a fresh KeyMap with the default bindings; callers own it and may change
// it without affecting anyone else.
func DefaultKeyMap() *KeyMap {
	return &KeyMap{
		Global: Global{
			NextView:      bind("tab", "next view", "tab"),
			PrevView:      bind("shift+tab", "previous view", "shift+tab"),
			ViewKeys:      bind("1", "keys", "1"),
			ViewWatch:     bind("2", "watch", "2"),
			ViewCluster:   bind("3", "cluster", "3"),
			ViewSnapshots: bind("4", "snapshots", "4"),
			Help:          bind("?", "help", "?"),
			Command:       bind(":", "command", ":"),
			Quit:          bind("q", "quit", "q"),
			Interrupt:     bind("ctrl+c", "quit", "ctrl+c"),
			Back:          bind("esc", "back/close", "esc"),
			RestartMember: key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "restart member"), key.WithDisabled()),
		},
		Keys: Keys{
			Up:       bind("↑/k", "up", "up", "k"),
			Down:     bind("↓/j", "down", "down", "j"),
			Open:     bind("enter/l", "open", "enter", "l", "right"),
			Parent:   bind("h/⌫", "parent", "h", "left", "backspace"),
			Top:      bind("g", "top", "g", "home"),
			Bottom:   bind("G", "bottom", "G", "end"),
			PageUp:   bind("pgup", "page up", "pgup"),
			PageDown: bind("pgdown", "page down", "pgdown"),
			Reload:   bind("r", "reload", "r"),
			Watch:    bind("w", "watch", "w"),
			Filter:   bind("/", "filter", "/"),
		},
		Watch: Watch{
			Up:      bind("↑/k", "up", "up", "k"),
			Down:    bind("↓/j", "down", "down", "j"),
			Top:     bind("g", "top", "g", "home"),
			Bottom:  bind("G", "bottom/follow", "G", "end"),
			Pause:   bind("space", "pause", "space"),
			Clear:   bind("c", "clear", "c"),
			Filter:  bind("/", "filter", "/"),
			Detail:  bind("enter", "value/diff", "enter"),
			Values:  bind("V", "filter values", "V"),
			Regexp:  bind("R", "filter regexp", "R"),
			Puts:    bind("P", "show PUT", "P"),
			Deletes: bind("D", "show DEL", "D"),
			Export:  bind("x", "export JSONL", "x"),
			Alert:   bind("!", "alert on filter", "!"),
		},
		Cluster: Cluster{
			Up:      bind("↑/k", "up", "up", "k"),
			Down:    bind("↓/j", "down", "down", "j"),
			Refresh: bind("r", "refresh", "r"),
			Defrag:  bind("D", "defragment", "D"),
		},
		Snapshots: Snapshots{
			Up:      bind("↑/k", "up", "up", "k"),
			Down:    bind("↓/j", "down", "down", "j"),
			Save:    bind("s", "save snapshot", "s"),
			Restore: bind("R", "restore", "R"),
			Refresh: bind("r", "refresh", "r"),
		},
	}
}

// Actions maps every action name used in the config file ("global.quit", "keys.open", …) to its
// binding in k. The map is built on each call; it holds pointers into k.
func (k *KeyMap) Actions() map[string]*key.Binding {
	g, ks, w, c, s := &k.Global, &k.Keys, &k.Watch, &k.Cluster, &k.Snapshots
	return map[string]*key.Binding{
		"global.next-view":      &g.NextView,
		"global.prev-view":      &g.PrevView,
		"global.view-keys":      &g.ViewKeys,
		"global.view-watch":     &g.ViewWatch,
		"global.view-cluster":   &g.ViewCluster,
		"global.view-snapshots": &g.ViewSnapshots,
		"global.help":           &g.Help,
		"global.command":        &g.Command,
		"global.quit":           &g.Quit,
		"global.interrupt":      &g.Interrupt,
		"global.back":           &g.Back,
		"global.restart-member": &g.RestartMember,

		"keys.up":        &ks.Up,
		"keys.down":      &ks.Down,
		"keys.open":      &ks.Open,
		"keys.parent":    &ks.Parent,
		"keys.top":       &ks.Top,
		"keys.bottom":    &ks.Bottom,
		"keys.page-up":   &ks.PageUp,
		"keys.page-down": &ks.PageDown,
		"keys.reload":    &ks.Reload,
		"keys.watch":     &ks.Watch,
		"keys.filter":    &ks.Filter,

		"watch.up":      &w.Up,
		"watch.down":    &w.Down,
		"watch.top":     &w.Top,
		"watch.bottom":  &w.Bottom,
		"watch.pause":   &w.Pause,
		"watch.clear":   &w.Clear,
		"watch.filter":  &w.Filter,
		"watch.detail":  &w.Detail,
		"watch.values":  &w.Values,
		"watch.regexp":  &w.Regexp,
		"watch.puts":    &w.Puts,
		"watch.deletes": &w.Deletes,
		"watch.export":  &w.Export,
		"watch.alert":   &w.Alert,

		"cluster.up":      &c.Up,
		"cluster.down":    &c.Down,
		"cluster.refresh": &c.Refresh,
		"cluster.defrag":  &c.Defrag,

		"snapshots.up":      &s.Up,
		"snapshots.down":    &s.Down,
		"snapshots.save":    &s.Save,
		"snapshots.restore": &s.Restore,
		"snapshots.refresh": &s.Refresh,
	}
}

// ActionNames lists the action names in sorted order, for error messages and documentation.
func (k *KeyMap) ActionNames() []string {
	acts := k.Actions()
	names := make([]string, 0, len(acts))
	for n := range acts {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Apply replaces the keys of the named actions (config file `keys:` section). Every name is
// checked before anything changes, so a typo leaves the keymap as it was. An empty key list
// unbinds the action.
func (k *KeyMap) Apply(overrides map[string][]string) error {
	acts := k.Actions()
	names := make([]string, 0, len(overrides))
	for n := range overrides {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if _, ok := acts[n]; !ok {
			return fmt.Errorf("keys: unknown action %q; known actions are %s", n, strings.Join(k.ActionNames(), ", "))
		}
		for _, kk := range overrides[n] {
			if strings.TrimSpace(kk) == "" || strings.TrimSpace(kk) != kk {
				return fmt.Errorf("keys: action %q has an empty or space-padded key %q; write keys like \"q\", \"ctrl+q\", \"space\"", n, kk)
			}
		}
	}
	// Apply to a copy and check it: a key bound twice where both apply would silently shadow one.
	next := *k
	acts = next.Actions()
	for _, n := range names {
		b := acts[n]
		keys := overrides[n]
		if len(keys) == 0 {
			b.Unbind()
			continue
		}
		enabled := b.Enabled() || len(b.Keys()) == 0
		b.SetKeys(keys...)
		b.SetHelp(strings.Join(keys, "/"), b.Help().Desc)
		b.SetEnabled(enabled)
	}
	if c := next.Conflicts(); len(c) > 0 {
		return fmt.Errorf("keys: %s", strings.Join(c, "; "))
	}
	*k = next
	return nil
}

// Conflicts lists keys bound to two actions that can apply at the same time: two global ones,
// two of one view, or a global one and a view's (the global one would win). Empty when none.
func (k *KeyMap) Conflicts() []string {
	acts := k.Actions()
	byKey := map[string][]string{} // key -> action names
	for _, n := range k.ActionNames() {
		for _, kk := range acts[n].Keys() {
			byKey[kk] = append(byKey[kk], n)
		}
	}
	scope := func(action string) string { s, _, _ := strings.Cut(action, "."); return s }
	var out []string
	keys := make([]string, 0, len(byKey))
	for kk := range byKey {
		keys = append(keys, kk)
	}
	sort.Strings(keys)
	for _, kk := range keys {
		names := byKey[kk]
		for i := 0; i < len(names); i++ {
			for j := i + 1; j < len(names); j++ {
				a, b := scope(names[i]), scope(names[j])
				if a == b || a == "global" || b == "global" {
					out = append(out, fmt.Sprintf("%q is bound to both %s and %s", kk, names[i], names[j]))
				}
			}
		}
	}
	return out
}
