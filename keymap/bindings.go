package keymap

import (
	"strings"

	"charm.land/bubbles/v2/key"
)

// Global bindings work in every view, except while a text field has focus.
type Global struct {
	NextView      key.Binding
	PrevView      key.Binding
	ViewKeys      key.Binding
	ViewWatch     key.Binding
	ViewCluster   key.Binding
	ViewSnapshots key.Binding
	ViewAccess    key.Binding
	ViewLeases    key.Binding
	ViewFind      key.Binding
	Help          key.Binding
	Command       key.Binding
	Quit          key.Binding
	// Interrupt quits too, and also works while a text field has focus.
	Interrupt key.Binding
	Back      key.Binding
	// RestartMember restarts the embedded member after it exited; enabled only then.
	RestartMember key.Binding
	// Snapshot saves a snapshot of the cluster from any view (the Snapshots view runs it).
	Snapshot key.Binding
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
	// Inspector, history, time travel and edits (views/keys inspector.go, history.go, edit.go).
	Render    key.Binding
	CopyKey   key.Binding
	CopyValue key.Binding
	History   key.Binding
	New       key.Binding
	Edit      key.Binding
	Delete    key.Binding
	DeleteDir key.Binding
	Undelete  key.Binding
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
	// Detail opens or closes the selected event's value and diff under the list; ValueDown and
	// ValueUp scroll it; Render cycles the value's renderings, as the inspector's does.
	Detail    key.Binding
	ValueDown key.Binding
	ValueUp   key.Binding
	Render    key.Binding
	// Values, Regexp, Puts and Deletes toggle how the filter matches: on values too, as a
	// regular expression, and which kinds of event show.
	Values  key.Binding
	Regexp  key.Binding
	Puts    key.Binding
	Deletes key.Binding
	Export  key.Binding
	Alert   key.Binding
}

// Cluster are the Cluster view's bindings (members, their health and history).
type Cluster struct {
	Up      key.Binding
	Down    key.Binding
	Details key.Binding
	Refresh key.Binding
	// ScrollDown and ScrollUp scroll a member's details when they do not fit; enabled only then.
	ScrollDown key.Binding
	ScrollUp   key.Binding
	// Maintenance (issue 19), each asking first and refused in read-only mode: the alarms
	// raised (disarm is :alarm disarm), a defragment of the selected member or of every
	// member (leader last), a compaction to the current revision.
	Alarms    key.Binding
	Defrag    key.Binding
	DefragAll key.Binding
	Compact   key.Binding
	// MoveLeader hands the leadership to the selected member.
	MoveLeader key.Binding
	// Consistency compares every voter's HashKV at one revision.
	Consistency key.Binding
	// CopyJoin copies the flags that start a member just added (:member add); enabled only
	// while they show.
	CopyJoin key.Binding
}

// Snapshots are the Snapshots view's bindings (the backup directory's files; saving is the global
// Snapshot binding, and esc cancels a running save).
type Snapshots struct {
	Up     key.Binding
	Down   key.Binding
	Top    key.Binding
	Bottom key.Binding
	Status key.Binding
	Delete key.Binding
	// Open browses the selected snapshot read-only in a temporary member; Restore restores it
	// into the embedded member; Plan shows the restore plan for the connected cluster, and
	// WritePlan (on the plan) writes it as a shell script, and PlanDataDir changes the members'
	// data dir the plan restores into.
	Open        key.Binding
	Restore     key.Binding
	Plan        key.Binding
	WritePlan   key.Binding
	PlanDataDir key.Binding
	// CopyPlan (on the plan) copies every member's restore command, one exact line each.
	CopyPlan key.Binding
	// PlanLeft and PlanRight scroll the plan sideways; enabled only when a line is wider than
	// the screen (a word is never broken).
	PlanLeft  key.Binding
	PlanRight key.Binding
}

// Leases are the Leases view's bindings (every lease, its TTL and keys; a lease's keys).
type Leases struct {
	Up       key.Binding
	Down     key.Binding
	Top      key.Binding
	Bottom   key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	// Open lists the selected lease's keys, and on a key opens it in the Keys view's inspector.
	Open key.Binding
	// Revoke revokes the selected lease (its keys are deleted) after a typed confirmation.
	Revoke  key.Binding
	Refresh key.Binding
}

// Find are the Find view's bindings (`:find`'s matches, streamed while the scan runs).
type Find struct {
	Up       key.Binding
	Down     key.Binding
	Top      key.Binding
	Bottom   key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	// Open opens the selected match in the Keys view (its directory, the key selected and its
	// value in the inspector beside the list).
	Open key.Binding
	// Next and Prev select the next and previous match, wrapping around the list.
	Next key.Binding
	Prev key.Binding
	// Export writes the matches (key, revision, matching line) to a file, through the write path.
	Export key.Binding
}

// Access are the Access view's bindings (users, roles and their permissions; authentication on
// or off). Each change asks first where it removes something and is refused in read-only mode.
type Access struct {
	Up     key.Binding
	Down   key.Binding
	Top    key.Binding
	Bottom key.Binding
	// AddUser asks a name and a password twice (no echo); AddRole asks a name.
	AddUser key.Binding
	AddRole key.Binding
	// Grant gives the selected user a role, or the selected role a permission; Revoke takes
	// one away (the selected permission itself).
	Grant  key.Binding
	Revoke key.Binding
	// Delete removes the selected user or role, or revokes the selected permission.
	Delete key.Binding
	// Auth turns authentication on (refused unless root exists) or off (typed confirmation).
	Auth    key.Binding
	Refresh key.Binding
}

// decl declares one binding: everything else (DefaultKeyMap, Actions, help) is built from it.
type decl struct {
	// name is the action name config overrides use: "<scope>.<action>".
	name  string
	field func(*KeyMap) *key.Binding
	keys  []string
	// help is the keys as the help shows them; desc what the binding does.
	help, desc string
	// col is the binding's column in the full help.
	col int
	opt option
}

type option int

const (
	// short puts the binding in the one-line help under the view too.
	short option = 1 << iota
	// disabled starts the binding off; the code enables it when it applies.
	disabled
)

// scope is the part of the action name before the dot: "global" or a view's.
func (d decl) scope() string { s, _, _ := strings.Cut(d.name, "."); return s }

// bindings is every binding, in help order. Adding one is a line here and a field in its struct.
var bindings = []decl{
	{"global.next-view", func(k *KeyMap) *key.Binding { return &k.Global.NextView }, []string{"tab"}, "tab", "next view", 0, 0},
	{"global.prev-view", func(k *KeyMap) *key.Binding { return &k.Global.PrevView }, []string{"shift+tab"}, "shift+tab", "previous view", 0, 0},
	{"global.view-keys", func(k *KeyMap) *key.Binding { return &k.Global.ViewKeys }, []string{"1"}, "1", "keys", 0, 0},
	{"global.view-watch", func(k *KeyMap) *key.Binding { return &k.Global.ViewWatch }, []string{"2"}, "2", "watch", 0, 0},
	{"global.view-cluster", func(k *KeyMap) *key.Binding { return &k.Global.ViewCluster }, []string{"3"}, "3", "cluster", 0, 0},
	{"global.view-snapshots", func(k *KeyMap) *key.Binding { return &k.Global.ViewSnapshots }, []string{"4"}, "4", "snapshots", 0, 0},
	{"global.view-access", func(k *KeyMap) *key.Binding { return &k.Global.ViewAccess }, []string{"5"}, "5", "access", 0, 0},
	{"global.view-leases", func(k *KeyMap) *key.Binding { return &k.Global.ViewLeases }, []string{"6"}, "6", "leases", 0, 0},
	{"global.view-find", func(k *KeyMap) *key.Binding { return &k.Global.ViewFind }, []string{"7"}, "7", "find", 0, 0},
	{"global.help", func(k *KeyMap) *key.Binding { return &k.Global.Help }, []string{"?"}, "?", "help", 1, short},
	{"global.command", func(k *KeyMap) *key.Binding { return &k.Global.Command }, []string{":"}, ":", "command", 1, short},
	{"global.back", func(k *KeyMap) *key.Binding { return &k.Global.Back }, []string{"esc"}, "esc", "back/close", 1, 0},
	{"global.quit", func(k *KeyMap) *key.Binding { return &k.Global.Quit }, []string{"q"}, "q", "quit", 1, short},
	{"global.interrupt", func(k *KeyMap) *key.Binding { return &k.Global.Interrupt }, []string{"ctrl+c"}, "ctrl+c", "quit", 1, 0},
	{"global.restart-member", func(k *KeyMap) *key.Binding { return &k.Global.RestartMember }, []string{"ctrl+r"}, "ctrl+r", "restart member", 1, disabled},
	{"global.snapshot", func(k *KeyMap) *key.Binding { return &k.Global.Snapshot }, []string{"s"}, "s", "save snapshot", 1, 0},

	{"keys.up", func(k *KeyMap) *key.Binding { return &k.Keys.Up }, []string{"up", "k"}, "↑/k", "up", 0, 0},
	{"keys.down", func(k *KeyMap) *key.Binding { return &k.Keys.Down }, []string{"down", "j"}, "↓/j", "down", 0, 0},
	{"keys.page-up", func(k *KeyMap) *key.Binding { return &k.Keys.PageUp }, []string{"pgup"}, "pgup", "page up", 0, 0},
	{"keys.page-down", func(k *KeyMap) *key.Binding { return &k.Keys.PageDown }, []string{"pgdown"}, "pgdown", "page down", 0, 0},
	{"keys.top", func(k *KeyMap) *key.Binding { return &k.Keys.Top }, []string{"g", "home"}, "g", "top", 0, 0},
	{"keys.bottom", func(k *KeyMap) *key.Binding { return &k.Keys.Bottom }, []string{"G", "end"}, "G", "bottom", 0, 0},
	{"keys.open", func(k *KeyMap) *key.Binding { return &k.Keys.Open }, []string{"enter", "l", "right"}, "enter/l", "open", 1, short},
	{"keys.parent", func(k *KeyMap) *key.Binding { return &k.Keys.Parent }, []string{"h", "left", "backspace"}, "h/⌫", "parent", 1, short},
	{"keys.reload", func(k *KeyMap) *key.Binding { return &k.Keys.Reload }, []string{"r"}, "r", "reload", 1, 0},
	{"keys.filter", func(k *KeyMap) *key.Binding { return &k.Keys.Filter }, []string{"/"}, "/", "filter", 1, short},
	{"keys.watch", func(k *KeyMap) *key.Binding { return &k.Keys.Watch }, []string{"w"}, "w", "watch", 1, short},
	{"keys.history", func(k *KeyMap) *key.Binding { return &k.Keys.History }, []string{"H"}, "H", "history", 0, short},
	{"keys.copy-key", func(k *KeyMap) *key.Binding { return &k.Keys.CopyKey }, []string{"y"}, "y", "copy key", 0, 0},
	{"keys.new", func(k *KeyMap) *key.Binding { return &k.Keys.New }, []string{"n"}, "n", "new key", 1, 0},
	{"keys.edit", func(k *KeyMap) *key.Binding { return &k.Keys.Edit }, []string{"e"}, "e", "edit value", 1, short},
	{"keys.delete", func(k *KeyMap) *key.Binding { return &k.Keys.Delete }, []string{"d"}, "d", "delete key", 1, 0},
	{"keys.delete-dir", func(k *KeyMap) *key.Binding { return &k.Keys.DeleteDir }, []string{"D"}, "D", "delete directory", 1, 0},
	{"keys.render", func(k *KeyMap) *key.Binding { return &k.Keys.Render }, []string{"v"}, "v", "cycle rendering", 2, short},
	{"keys.copy-value", func(k *KeyMap) *key.Binding { return &k.Keys.CopyValue }, []string{"Y"}, "Y", "copy value", 2, 0},
	{"keys.undelete", func(k *KeyMap) *key.Binding { return &k.Keys.Undelete }, []string{"u"}, "u", "undelete", 2, 0},

	{"snapshots.up", func(k *KeyMap) *key.Binding { return &k.Snapshots.Up }, []string{"up", "k"}, "↑/k", "up", 0, 0},
	{"snapshots.down", func(k *KeyMap) *key.Binding { return &k.Snapshots.Down }, []string{"down", "j"}, "↓/j", "down", 0, 0},
	{"snapshots.top", func(k *KeyMap) *key.Binding { return &k.Snapshots.Top }, []string{"g", "home"}, "g", "top", 0, 0},
	{"snapshots.bottom", func(k *KeyMap) *key.Binding { return &k.Snapshots.Bottom }, []string{"G", "end"}, "G", "bottom", 0, 0},
	{"snapshots.status", func(k *KeyMap) *key.Binding { return &k.Snapshots.Status }, []string{"enter"}, "enter", "full status", 1, short},
	{"snapshots.delete", func(k *KeyMap) *key.Binding { return &k.Snapshots.Delete }, []string{"d"}, "d", "delete file", 1, short},
	{"snapshots.open", func(k *KeyMap) *key.Binding { return &k.Snapshots.Open }, []string{"o"}, "o", "open read-only", 2, short},
	{"snapshots.restore", func(k *KeyMap) *key.Binding { return &k.Snapshots.Restore }, []string{"R"}, "R", "restore into member", 2, short},
	{"snapshots.plan", func(k *KeyMap) *key.Binding { return &k.Snapshots.Plan }, []string{"P"}, "P", "restore plan", 2, short},
	{"snapshots.write-plan", func(k *KeyMap) *key.Binding { return &k.Snapshots.WritePlan }, []string{"w"}, "w", "write plan script", 2, 0},
	{"snapshots.plan-data-dir", func(k *KeyMap) *key.Binding { return &k.Snapshots.PlanDataDir }, []string{"e"}, "e", "plan data dir", 2, 0},
	{"snapshots.copy-plan", func(k *KeyMap) *key.Binding { return &k.Snapshots.CopyPlan }, []string{"y"}, "y", "copy restore commands", 2, 0},
	{"snapshots.plan-left", func(k *KeyMap) *key.Binding { return &k.Snapshots.PlanLeft }, []string{"left", "h"}, "←/h", "scroll plan left", 0, disabled},
	{"snapshots.plan-right", func(k *KeyMap) *key.Binding { return &k.Snapshots.PlanRight }, []string{"right", "l"}, "→/l", "scroll plan right", 0, disabled},

	{"watch.up", func(k *KeyMap) *key.Binding { return &k.Watch.Up }, []string{"up", "k"}, "↑/k", "up", 0, 0},
	{"watch.down", func(k *KeyMap) *key.Binding { return &k.Watch.Down }, []string{"down", "j"}, "↓/j", "down", 0, 0},
	{"watch.top", func(k *KeyMap) *key.Binding { return &k.Watch.Top }, []string{"g", "home"}, "g", "top", 0, 0},
	{"watch.bottom", func(k *KeyMap) *key.Binding { return &k.Watch.Bottom }, []string{"G", "end"}, "G", "bottom/follow", 0, 0},
	{"watch.pause", func(k *KeyMap) *key.Binding { return &k.Watch.Pause }, []string{"space"}, "space", "pause", 1, short},
	{"watch.clear", func(k *KeyMap) *key.Binding { return &k.Watch.Clear }, []string{"c"}, "c", "clear", 1, 0},
	{"watch.detail", func(k *KeyMap) *key.Binding { return &k.Watch.Detail }, []string{"enter"}, "enter", "value", 0, short},
	{"watch.value-down", func(k *KeyMap) *key.Binding { return &k.Watch.ValueDown }, []string{"pgdown", "J"}, "pgdn/J", "scroll value", 0, 0},
	{"watch.value-up", func(k *KeyMap) *key.Binding { return &k.Watch.ValueUp }, []string{"pgup", "K"}, "pgup/K", "scroll value back", 0, 0},
	{"watch.render", func(k *KeyMap) *key.Binding { return &k.Watch.Render }, []string{"v"}, "v", "cycle rendering", 0, 0},
	{"watch.export", func(k *KeyMap) *key.Binding { return &k.Watch.Export }, []string{"x"}, "x", "export", 1, short},
	{"watch.alert", func(k *KeyMap) *key.Binding { return &k.Watch.Alert }, []string{"!"}, "!", "alert on filter", 1, 0},
	{"watch.filter", func(k *KeyMap) *key.Binding { return &k.Watch.Filter }, []string{"/"}, "/", "filter", 2, short},
	{"watch.values", func(k *KeyMap) *key.Binding { return &k.Watch.Values }, []string{"V"}, "V", "filter values too", 2, 0},
	{"watch.regexp", func(k *KeyMap) *key.Binding { return &k.Watch.Regexp }, []string{"R"}, "R", "filter as regexp", 2, 0},
	{"watch.puts", func(k *KeyMap) *key.Binding { return &k.Watch.Puts }, []string{"P"}, "P", "show PUT", 2, 0},
	{"watch.deletes", func(k *KeyMap) *key.Binding { return &k.Watch.Deletes }, []string{"D"}, "D", "show DEL", 2, 0},

	{"leases.up", func(k *KeyMap) *key.Binding { return &k.Leases.Up }, []string{"up", "k"}, "↑/k", "up", 0, 0},
	{"leases.down", func(k *KeyMap) *key.Binding { return &k.Leases.Down }, []string{"down", "j"}, "↓/j", "down", 0, 0},
	{"leases.page-up", func(k *KeyMap) *key.Binding { return &k.Leases.PageUp }, []string{"pgup"}, "pgup", "page up", 0, 0},
	{"leases.page-down", func(k *KeyMap) *key.Binding { return &k.Leases.PageDown }, []string{"pgdown"}, "pgdown", "page down", 0, 0},
	{"leases.top", func(k *KeyMap) *key.Binding { return &k.Leases.Top }, []string{"g", "home"}, "g", "top", 0, 0},
	{"leases.bottom", func(k *KeyMap) *key.Binding { return &k.Leases.Bottom }, []string{"G", "end"}, "G", "bottom", 0, 0},
	{"leases.open", func(k *KeyMap) *key.Binding { return &k.Leases.Open }, []string{"enter"}, "enter", "keys / open key", 1, short},
	{"leases.revoke", func(k *KeyMap) *key.Binding { return &k.Leases.Revoke }, []string{"d"}, "d", "revoke lease", 1, short},
	{"leases.refresh", func(k *KeyMap) *key.Binding { return &k.Leases.Refresh }, []string{"r"}, "r", "refresh", 1, short},

	{"find.up", func(k *KeyMap) *key.Binding { return &k.Find.Up }, []string{"up", "k"}, "↑/k", "up", 0, 0},
	{"find.down", func(k *KeyMap) *key.Binding { return &k.Find.Down }, []string{"down", "j"}, "↓/j", "down", 0, 0},
	{"find.page-up", func(k *KeyMap) *key.Binding { return &k.Find.PageUp }, []string{"pgup"}, "pgup", "page up", 0, 0},
	{"find.page-down", func(k *KeyMap) *key.Binding { return &k.Find.PageDown }, []string{"pgdown"}, "pgdown", "page down", 0, 0},
	{"find.top", func(k *KeyMap) *key.Binding { return &k.Find.Top }, []string{"g", "home"}, "g", "top", 0, 0},
	{"find.bottom", func(k *KeyMap) *key.Binding { return &k.Find.Bottom }, []string{"G", "end"}, "G", "bottom", 0, 0},
	{"find.open", func(k *KeyMap) *key.Binding { return &k.Find.Open }, []string{"enter"}, "enter", "open in keys", 1, short},
	{"find.next", func(k *KeyMap) *key.Binding { return &k.Find.Next }, []string{"n"}, "n", "next match", 1, short},
	{"find.prev", func(k *KeyMap) *key.Binding { return &k.Find.Prev }, []string{"N"}, "N", "previous match", 1, short},
	{"find.export", func(k *KeyMap) *key.Binding { return &k.Find.Export }, []string{"x"}, "x", "export matches", 1, short},
	{"access.up", func(k *KeyMap) *key.Binding { return &k.Access.Up }, []string{"up", "k"}, "↑/k", "up", 0, 0},
	{"access.down", func(k *KeyMap) *key.Binding { return &k.Access.Down }, []string{"down", "j"}, "↓/j", "down", 0, 0},
	{"access.top", func(k *KeyMap) *key.Binding { return &k.Access.Top }, []string{"g", "home"}, "g", "top", 0, 0},
	{"access.bottom", func(k *KeyMap) *key.Binding { return &k.Access.Bottom }, []string{"G", "end"}, "G", "bottom", 0, 0},
	{"access.add-user", func(k *KeyMap) *key.Binding { return &k.Access.AddUser }, []string{"a"}, "a", "add user", 1, short},
	{"access.add-role", func(k *KeyMap) *key.Binding { return &k.Access.AddRole }, []string{"A"}, "A", "add role", 1, short},
	{"access.grant", func(k *KeyMap) *key.Binding { return &k.Access.Grant }, []string{"+"}, "+", "grant", 1, short},
	{"access.revoke", func(k *KeyMap) *key.Binding { return &k.Access.Revoke }, []string{"-"}, "-", "revoke", 1, short},
	{"access.delete", func(k *KeyMap) *key.Binding { return &k.Access.Delete }, []string{"d"}, "d", "delete", 1, short},
	{"access.auth", func(k *KeyMap) *key.Binding { return &k.Access.Auth }, []string{"E"}, "E", "auth on/off", 2, 0},
	{"access.refresh", func(k *KeyMap) *key.Binding { return &k.Access.Refresh }, []string{"r"}, "r", "refresh", 2, 0},

	{"cluster.up", func(k *KeyMap) *key.Binding { return &k.Cluster.Up }, []string{"up", "k"}, "↑/k", "up", 0, 0},
	{"cluster.down", func(k *KeyMap) *key.Binding { return &k.Cluster.Down }, []string{"down", "j"}, "↓/j", "down", 0, 0},
	{"cluster.details", func(k *KeyMap) *key.Binding { return &k.Cluster.Details }, []string{"enter"}, "enter", "member details", 1, short},
	{"cluster.refresh", func(k *KeyMap) *key.Binding { return &k.Cluster.Refresh }, []string{"r"}, "r", "poll now", 1, short},
	{"cluster.scroll-down", func(k *KeyMap) *key.Binding { return &k.Cluster.ScrollDown }, []string{"pgdown", "J"}, "pgdn/J", "scroll details", 0, short | disabled},
	{"cluster.scroll-up", func(k *KeyMap) *key.Binding { return &k.Cluster.ScrollUp }, []string{"pgup", "K"}, "pgup/K", "scroll details back", 0, short | disabled},
	{"cluster.defrag", func(k *KeyMap) *key.Binding { return &k.Cluster.Defrag }, []string{"f"}, "f", "defragment", 2, short},
	{"cluster.defrag-all", func(k *KeyMap) *key.Binding { return &k.Cluster.DefragAll }, []string{"F"}, "F", "defragment all", 2, 0},
	{"cluster.compact", func(k *KeyMap) *key.Binding { return &k.Cluster.Compact }, []string{"c"}, "c", "compact", 2, short},
	{"cluster.alarms", func(k *KeyMap) *key.Binding { return &k.Cluster.Alarms }, []string{"a"}, "a", "alarms", 2, short},
	{"cluster.move-leader", func(k *KeyMap) *key.Binding { return &k.Cluster.MoveLeader }, []string{"m"}, "m", "move leader here", 2, 0},
	{"cluster.consistency", func(k *KeyMap) *key.Binding { return &k.Cluster.Consistency }, []string{"x"}, "x", "consistency (HashKV)", 2, 0},
	{"cluster.copy-join", func(k *KeyMap) *key.Binding { return &k.Cluster.CopyJoin }, []string{"y"}, "y", "copy the new member's flags", 2, disabled},
}
