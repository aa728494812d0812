package keymap

import "charm.land/bubbles/v2/key"

// ShortHelp is the one-line help shown under every view.
func (g Global) ShortHelp() []key.Binding {
	return []key.Binding{g.Help, g.Command, g.Quit}
}

// FullHelp groups the global bindings into columns for the help overlay.
func (g Global) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{g.NextView, g.PrevView, g.ViewKeys, g.ViewWatch, g.ViewCluster, g.ViewSnapshots},
		{g.Help, g.Command, g.Back, g.Quit, g.Interrupt, g.RestartMember},
	}
}

// ShortHelp lists the Keys view's most used bindings.
func (k Keys) ShortHelp() []key.Binding {
	return []key.Binding{k.Open, k.Parent, k.Filter, k.Watch}
}

// FullHelp groups the Keys view's bindings for the help overlay.
func (k Keys) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Open, k.Parent, k.Reload, k.Watch, k.Filter},
	}
}

// ShortHelp lists the Watch view's most used bindings.
func (w Watch) ShortHelp() []key.Binding {
	return []key.Binding{w.Pause, w.Filter, w.Detail, w.Export}
}

// FullHelp groups the Watch view's bindings for the help overlay.
func (w Watch) FullHelp() [][]key.Binding {
	return [][]key.Binding{{w.Up, w.Down, w.Top, w.Bottom, w.Detail}, {w.Pause, w.Clear, w.Export, w.Alert},
		{w.Filter, w.Values, w.Regexp, w.Puts, w.Deletes}}
}

// ShortHelp lists the Cluster view's most used bindings.
func (c Cluster) ShortHelp() []key.Binding {
	return []key.Binding{c.Refresh, c.Defrag}
}

// FullHelp groups the Cluster view's bindings for the help overlay.
func (c Cluster) FullHelp() [][]key.Binding {
	return [][]key.Binding{{c.Up, c.Down}, {c.Refresh, c.Defrag}}
}

// ShortHelp lists the Snapshots view's most used bindings.
func (s Snapshots) ShortHelp() []key.Binding {
	return []key.Binding{s.Save, s.Restore, s.Refresh}
}

// FullHelp groups the Snapshots view's bindings for the help overlay.
func (s Snapshots) FullHelp() [][]key.Binding {
	return [][]key.Binding{{s.Up, s.Down}, {s.Save, s.Restore, s.Refresh}}
}
