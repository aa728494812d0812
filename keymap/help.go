package keymap

import "charm.land/bubbles/v2/key"

// This file is the help each view's bindings give (the bubbles help.KeyMap of every scope),
// generated from the one table in bindings.go.

// shortHelp is the bindings of scope marked short, in table order.
func (k *KeyMap) shortHelp(scope string) []key.Binding {
	var out []key.Binding
	for _, d := range bindings {
		if d.scope() == scope && d.opt&short != 0 {
			out = append(out, *d.field(k))
		}
	}
	return out
}

// fullHelp is the bindings of scope in their columns, in table order.
func (k *KeyMap) fullHelp(scope string) [][]key.Binding {
	var cols [][]key.Binding
	for _, d := range bindings {
		if d.scope() != scope {
			continue
		}
		for len(cols) <= d.col {
			cols = append(cols, nil)
		}
		cols[d.col] = append(cols[d.col], *d.field(k))
	}
	return cols
}

// ShortHelp is the one-line help shown under every view.
func (g Global) ShortHelp() []key.Binding { return (&KeyMap{Global: g}).shortHelp("global") }

// FullHelp groups the global bindings into columns for the help overlay.
func (g Global) FullHelp() [][]key.Binding { return (&KeyMap{Global: g}).fullHelp("global") }

// ShortHelp lists the Keys view's most used bindings.
func (k Keys) ShortHelp() []key.Binding { return (&KeyMap{Keys: k}).shortHelp("keys") }

// FullHelp groups the Keys view's bindings for the help overlay.
func (k Keys) FullHelp() [][]key.Binding { return (&KeyMap{Keys: k}).fullHelp("keys") }

// ShortHelp lists the Cluster view's most used bindings.
func (c Cluster) ShortHelp() []key.Binding { return (&KeyMap{Cluster: c}).shortHelp("cluster") }

// FullHelp groups the Cluster view's bindings for the help overlay.
func (c Cluster) FullHelp() [][]key.Binding { return (&KeyMap{Cluster: c}).fullHelp("cluster") }

// ShortHelp lists the Snapshots view's most used bindings.
func (s Snapshots) ShortHelp() []key.Binding { return (&KeyMap{Snapshots: s}).shortHelp("snapshots") }

// FullHelp groups the Snapshots view's bindings for the help overlay.
func (s Snapshots) FullHelp() [][]key.Binding { return (&KeyMap{Snapshots: s}).fullHelp("snapshots") }

// ShortHelp lists the Watch view's most used bindings.
func (w Watch) ShortHelp() []key.Binding { return (&KeyMap{Watch: w}).shortHelp("watch") }

// FullHelp groups the Watch view's bindings for the help overlay.
func (w Watch) FullHelp() [][]key.Binding { return (&KeyMap{Watch: w}).fullHelp("watch") }

// ShortHelp lists the Leases view's most used bindings.
func (l Leases) ShortHelp() []key.Binding { return (&KeyMap{Leases: l}).shortHelp("leases") }

// FullHelp groups the Leases view's bindings for the help overlay.
func (l Leases) FullHelp() [][]key.Binding { return (&KeyMap{Leases: l}).fullHelp("leases") }

// ShortHelp lists the Find view's most used bindings.
func (f Find) ShortHelp() []key.Binding { return (&KeyMap{Find: f}).shortHelp("find") }

// FullHelp groups the Find view's bindings for the help overlay.
func (f Find) FullHelp() [][]key.Binding { return (&KeyMap{Find: f}).fullHelp("find") }

// ShortHelp lists the Access view's most used bindings.
func (a Access) ShortHelp() []key.Binding { return (&KeyMap{Access: a}).shortHelp("access") }

// FullHelp groups the Access view's bindings for the help overlay.
func (a Access) FullHelp() [][]key.Binding { return (&KeyMap{Access: a}).fullHelp("access") }
