package tui

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/views/access"
	"github.com/etcdeck/etcdeck/views/clusterview"
	"github.com/etcdeck/etcdeck/views/common"
	findview "github.com/etcdeck/etcdeck/views/find"
	"github.com/etcdeck/etcdeck/views/keys"
	"github.com/etcdeck/etcdeck/views/leases"
	"github.com/etcdeck/etcdeck/views/usage"
)

// verb is one of the command line's ":" verbs: everything the command line knows of it. The
// placeholder, tab completion, the errors and the help's list of verbs are built from verbTable.
type verb struct {
	name    string
	aliases []string
	// args is the usage of its arguments ("<path>", "[N]"); "" when it takes none.
	args string
	// slash makes a line that starts with "/" this verb's argument (":/registry/" goes there).
	slash bool
	// complete is what tab offers for its argument.
	complete completion
	// run turns the argument (trimmed, maybe empty) into the message that carries the verb out;
	// its error says what is wrong with the argument, and the command line adds the usage.
	run func(arg string) (tea.Msg, error)
}

// completion is what tab offers for a verb's argument, besides the lines typed before.
type completion struct {
	// path: the argument is a key path, and the directory being typed is listed from the
	// cluster once typing pauses.
	path bool
	// words are the fixed arguments offered after the verb (as "alarm list", "alarm disarm").
	words []string
}

// verbTable is every verb, in the order the placeholder and the help list them. Adding a verb
// is an entry here and its run function.
var verbTable = []verb{
	{name: "goto", aliases: []string{"g"}, args: "<path>", slash: true, complete: completion{path: true}, run: runGoto},
	{name: "watch", aliases: []string{"w"}, args: "[<prefix>] [--rev N]", complete: completion{path: true}, run: parseWatch},
	{name: "rev", args: "[N]", run: runRev},
	// find searches keys (and values) under the Keys view's directory or PREFIX, in view 7.
	{name: "find", aliases: []string{"f"}, args: "TEXT [in PREFIX] [--values] [--regex] [--decoded]", run: parseFind},
	// lease revokes a lease (its keys go: asked first, typed) or grants one, in the Leases view.
	{name: "lease", args: "revoke <ID>|grant <TTL>", complete: completion{words: []string{"revoke", "grant"}}, run: parseLease},
	// usage shows what fills the database: stored revisions per prefix from the newest backup,
	// live keys and bytes per child.
	{name: "usage", args: "[<prefix>]", complete: completion{path: true}, run: runUsage},
	{name: "alarm", args: "list|disarm", complete: completion{words: []string{"list", "disarm"}}, run: runAlarm},
	{name: "defrag", args: "all|<member>", complete: completion{words: []string{"all"}}, run: runDefrag},
	{name: "compact", args: "[rev] [--physical]", run: runCompact},
	{name: "move-leader", args: "<member>", run: runMoveLeader},
	{name: "recover-nospace", run: always(clusterview.ActionMsg{Kind: clusterview.RecoverNospace})},
	// hashkv compares every voting member's HashKV at one revision (x in the Cluster view).
	{name: "hashkv", run: always(clusterview.ActionMsg{Kind: clusterview.Consistency})},
	// member changes the membership: a learner added (its start flags shown, y copies them),
	// promoted once caught up, a member removed (typed confirmation; the last voter refused).
	{name: "member", args: "add <name> <peer-url> [<client-url>]|promote <member>|remove <member>",
		complete: completion{words: []string{"add", "promote", "remove"}}, run: runMember},
	// user, role and auth manage users, roles and authentication in the Access view (a new
	// user's password is asked there, never on the command line; removals are asked first).
	{name: "user", args: access.UserUsage, complete: completion{words: access.UserWords}, run: access.ParseUser},
	{name: "role", args: access.RoleUsage, complete: completion{words: access.RoleWords}, run: access.ParseRole},
	{name: "auth", args: access.AuthUsage, complete: completion{words: access.AuthWords}, run: access.ParseAuth},
	// ctx lists the config's contexts and the embedded member, or switches to the one named.
	{name: "ctx", args: "[NAME]", run: runCtx},
	{name: "help", aliases: []string{"h"}, run: always(openHelpMsg{})},
	// messages lists recent flashes and task results in full, for those the bottom line cut.
	{name: "messages", run: always(openMessagesMsg{})},
	// close ends a snapshot opened read-only from any depth; with none open it says so.
	{name: "close", run: always(common.CloseSessionMsg{})},
	{name: "quit", aliases: []string{"q"}, run: always(quitRequestMsg{})},
}

// always is the run of a verb that takes no argument (one given is ignored, as it always was).
func always(msg tea.Msg) func(string) (tea.Msg, error) {
	return func(string) (tea.Msg, error) { return msg, nil }
}

// usage is the verb with its arguments, "watch [<prefix>] [--rev N]".
func (v verb) usage() string {
	if v.args == "" {
		return v.name
	}
	return v.name + " " + v.args
}

// takesArg is true when something may follow the verb, so its completion ends in a space.
func (v verb) takesArg() bool {
	return v.args != "" || v.complete.path || len(v.complete.words) > 0
}

// suggestions are the lines tab offers for the verb before anything is typed after it.
func (v verb) suggestions() []string {
	if !v.takesArg() {
		return []string{v.name}
	}
	out := []string{v.name + " "}
	for _, w := range v.complete.words {
		out = append(out, v.name+" "+w)
	}
	return out
}

// findVerb is the verb named or aliased word; nil when there is none.
func findVerb(word string) *verb {
	for i := range verbTable {
		v := &verbTable[i]
		if v.name == word {
			return v
		}
		for _, a := range v.aliases {
			if a == word {
				return v
			}
		}
	}
	return nil
}

// slashVerb is the verb a line starting with "/" belongs to; nil when there is none.
func slashVerb() *verb {
	for i := range verbTable {
		if verbTable[i].slash {
			return &verbTable[i]
		}
	}
	return nil
}

// verbUsages lists every verb's usage, each after prefix, joined by sep.
func verbUsages(prefix, sep string) string {
	out := make([]string, len(verbTable))
	for i, v := range verbTable {
		out[i] = prefix + v.usage()
	}
	return strings.Join(out, sep)
}

// verbSuggestions are the completions of every verb, in table order.
func verbSuggestions() []string {
	var out []string
	for _, v := range verbTable {
		out = append(out, v.suggestions()...)
	}
	return out
}

// cmdPlaceholder is what the empty command line shows.
func cmdPlaceholder() string { return verbUsages("", " · ") }

// unknownVerbError names the verbs there are.
func unknownVerbError(word string) error {
	us := make([]string, len(verbTable))
	for i, v := range verbTable {
		us[i] = v.usage()
	}
	list := us[0]
	if n := len(us); n > 1 {
		list = strings.Join(us[:n-1], ", ") + " or " + us[n-1]
	}
	return fmt.Errorf("unknown command %q: try %s", word, list)
}

// pathArg splits a command line into the part before the path and the path, when the line
// names one: "/a/b" or "goto /a/b" or "watch /a/" (a verb whose argument completes as a path).
func pathArg(line string) (head, path string, ok bool) {
	if strings.HasPrefix(line, "/") && slashVerb() != nil {
		return "", line, true
	}
	word, arg, found := strings.Cut(line, " ")
	if v := findVerb(word); v != nil && v.complete.path && found && strings.HasPrefix(arg, "/") {
		return word + " ", arg, true
	}
	return "", "", false
}

// parseCommand turns one command line into the message that carries it out.
func parseCommand(line string) (tea.Msg, error) {
	line = strings.TrimSpace(line)
	if line == "" {
		return nil, nil
	}
	if v := slashVerb(); v != nil && strings.HasPrefix(line, "/") {
		return v.parse(line)
	}
	word, arg, _ := strings.Cut(line, " ")
	v := findVerb(word)
	if v == nil {
		return nil, unknownVerbError(word)
	}
	return v.parse(strings.TrimSpace(arg))
}

// parse runs the verb on arg; a bad argument's error ends with the verb's usage.
func (v verb) parse(arg string) (tea.Msg, error) {
	msg, err := v.run(arg)
	if err != nil {
		return nil, fmt.Errorf("%w (usage: %s)", err, v.usage())
	}
	return msg, nil
}

func runGoto(arg string) (tea.Msg, error) {
	if arg == "" {
		return nil, errors.New("goto needs a key or directory, e.g. goto /registry/pods/")
	}
	return common.GotoMsg{Path: arg}, nil
}

func runRev(arg string) (tea.Msg, error) {
	if arg == "" {
		return keys.TimeTravelMsg{}, nil // back to live
	}
	n, err := strconv.ParseInt(arg, 10, 64)
	if err != nil || n <= 0 {
		return nil, fmt.Errorf("rev %s: give a revision number (rev 1234), or rev alone to return to live", arg)
	}
	return keys.TimeTravelMsg{Rev: n}, nil
}

// parseWatch reads "watch [<prefix>] [--rev N]": no prefix watches every key; --rev replays
// history from revision N first, as etcdctl watch --rev does.
func parseWatch(arg string) (tea.Msg, error) {
	var msg common.WatchMsg
	var rest []string
	fields := strings.Fields(arg)
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		v, isRev := strings.CutPrefix(f, "--rev=")
		if f == "--rev" {
			if i+1 == len(fields) {
				return nil, errors.New("watch --rev needs a revision, e.g. watch /registry/ --rev 1200")
			}
			v, isRev = fields[i+1], true
			i++
		}
		if !isRev {
			rest = append(rest, f)
			continue
		}
		rev, err := strconv.ParseInt(v, 10, 64)
		if err != nil || rev < 1 {
			return nil, fmt.Errorf("watch --rev %s: a revision is a whole number from 1", v)
		}
		msg.Rev = rev
	}
	if len(rest) > 1 {
		return nil, fmt.Errorf("watch takes one prefix, got %q: escape spaces in keys as \\x20", strings.Join(rest, " "))
	}
	if len(rest) == 1 {
		prefix, err := cluster.UnescapeKey(rest[0])
		if err != nil {
			return nil, fmt.Errorf("watch %s: %w", rest[0], err)
		}
		msg.Prefix = prefix
	}
	return msg, nil
}

// parseLease reads "lease revoke <ID>" (the ID in hex, as etcdctl lease list prints it) and
// "lease grant <TTL>" (seconds, or a duration such as 90s, 10m, 1h).
func parseLease(arg string) (tea.Msg, error) {
	fields := strings.Fields(arg)
	if len(fields) != 2 {
		return nil, errors.New("lease takes revoke and a lease ID, or grant and a TTL, e.g. lease grant 60")
	}
	switch fields[0] {
	case "revoke":
		id, err := cluster.ParseLeaseID(fields[1])
		if err != nil {
			return nil, fmt.Errorf("lease revoke: %w", err)
		}
		return leases.CommandMsg{Revoke: id}, nil
	case "grant":
		ttl, err := parseTTL(fields[1])
		if err != nil {
			return nil, fmt.Errorf("lease grant %s: %w", fields[1], err)
		}
		return leases.CommandMsg{Grant: ttl}, nil
	}
	return nil, fmt.Errorf("lease %s: the lease command is revoke or grant", fields[0])
}

// parseTTL reads a lease TTL: whole seconds (as etcdctl lease grant takes it) or a Go duration,
// at least one second.
func parseTTL(s string) (time.Duration, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < 1 || n > maxLeaseTTL {
			return 0, fmt.Errorf("a TTL is from 1 to %d seconds", maxLeaseTTL)
		}
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < time.Second || d > maxLeaseTTL*time.Second {
		return 0, fmt.Errorf("a TTL is whole seconds (60) or a duration (90s, 10m, 1h) from 1s to %d seconds", maxLeaseTTL)
	}
	return d, nil
}

// maxLeaseTTL is the largest lease TTL etcd grants, in seconds (its lease.MaxLeaseTTL).
const maxLeaseTTL = 9000000000

// runAlarm reads "alarm list" (the alarms raised, per member) or "alarm disarm" (asks first).
func runAlarm(arg string) (tea.Msg, error) {
	switch arg {
	case "list", "":
		return clusterview.ActionMsg{Kind: clusterview.AlarmList}, nil
	case "disarm":
		return clusterview.ActionMsg{Kind: clusterview.AlarmDisarm}, nil
	}
	return nil, fmt.Errorf("alarm %s: say list or disarm", arg)
}

// runDefrag reads "defrag all" (every member, leader last) or "defrag <member>" (a name or a
// hex ID); it asks first.
func runDefrag(arg string) (tea.Msg, error) {
	switch {
	case arg == "":
		return nil, errors.New("defrag needs all or a member's name")
	case strings.ContainsAny(arg, " \t"):
		return nil, fmt.Errorf("defrag takes one member, got %q", arg)
	case arg == "all":
		return clusterview.ActionMsg{Kind: clusterview.Defrag}, nil
	}
	return clusterview.ActionMsg{Kind: clusterview.Defrag, Member: arg}, nil
}

// runCompact reads "compact [rev] [--physical]": no revision compacts to the current one.
func runCompact(arg string) (tea.Msg, error) {
	msg := clusterview.ActionMsg{Kind: clusterview.Compact}
	for _, f := range strings.Fields(arg) {
		if f == "--physical" {
			msg.Physical = true
			continue
		}
		if msg.Rev != 0 {
			return nil, fmt.Errorf("compact takes one revision, got %q", arg)
		}
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("compact %s: a revision is a whole number from 1", f)
		}
		msg.Rev = n
	}
	return msg, nil
}

// runMoveLeader reads "move-leader <member>" (a name or a hex ID): the new leader; it asks first.
func runMoveLeader(arg string) (tea.Msg, error) {
	if arg == "" || strings.ContainsAny(arg, " \t") {
		return nil, errors.New("move-leader needs one member's name, e.g. move-leader m2")
	}
	return clusterview.ActionMsg{Kind: clusterview.MoveLeader, Member: arg}, nil
}

// parseFind reads "find TEXT [in PREFIX] [--values] [--regex] [--decoded]": the flags anywhere,
// "in" followed by the prefix searched (escaped as keys are shown), the other words the text
// (joined by one space; \x20 and the other escapes of keys are understood).
func parseFind(arg string) (tea.Msg, error) {
	var msg findview.StartMsg
	var words []string
	fields := strings.Fields(arg)
	for i := 0; i < len(fields); i++ {
		switch f := fields[i]; f {
		case "--values":
			msg.Values = true
		case "--regex":
			msg.Regex = true
		case "--decoded":
			msg.Decoded, msg.Values = true, true
		case "in":
			if i+1 == len(fields) {
				return nil, errors.New("find … in needs a prefix, e.g. find nginx in /registry/pods/")
			}
			if msg.InDir {
				return nil, errors.New("find takes one prefix after in")
			}
			prefix, err := cluster.UnescapeKey(fields[i+1])
			if err != nil {
				return nil, fmt.Errorf("find in %s: %w", fields[i+1], err)
			}
			msg.Prefix, msg.InDir = prefix, true
			i++
		default:
			if strings.HasPrefix(f, "--") {
				return nil, fmt.Errorf("find: unknown option %s (--values, --regex or --decoded)", f)
			}
			words = append(words, f)
		}
	}
	if len(words) == 0 {
		return nil, errors.New("find needs something to look for, e.g. find nginx --values")
	}
	text, err := cluster.UnescapeKey(strings.Join(words, " "))
	if err != nil {
		return nil, fmt.Errorf("find %s: %w", strings.Join(words, " "), err)
	}
	msg.Text = text
	if msg.Regex {
		if _, err := regexp.Compile(text); err != nil {
			return nil, fmt.Errorf("find: %q is not a regular expression: %v", text, err)
		}
	}
	return msg, nil
}

// runUsage reads "usage [<prefix>]": no prefix weighs every key; the prefix is typed escaped as
// keys are shown (\x20 for a space).
func runUsage(arg string) (tea.Msg, error) {
	if strings.ContainsAny(arg, " \t") {
		return nil, fmt.Errorf("usage takes one prefix, got %q: escape spaces in keys as \\x20", arg)
	}
	prefix, err := cluster.UnescapeKey(arg)
	if err != nil {
		return nil, fmt.Errorf("usage %s: %w", arg, err)
	}
	return usage.OpenMsg{Prefix: prefix}, nil
}

// runMember reads "member add <name> <peer-url> [<client-url>]", "member promote <member>" and
// "member remove <member>" (a name or a hex ID); each asks first.
func runMember(arg string) (tea.Msg, error) {
	f := strings.Fields(arg)
	if len(f) == 0 {
		return nil, errors.New("member needs add, promote or remove")
	}
	switch f[0] {
	case "add":
		if len(f) < 3 || len(f) > 4 {
			return nil, errors.New("member add needs a name and a peer URL, e.g. member add m4 http://10.0.0.4:2380")
		}
		msg := clusterview.ActionMsg{Kind: clusterview.MemberAdd, Member: f[1], PeerURL: f[2]}
		if len(f) == 4 {
			msg.ClientURL = f[3]
		}
		return msg, nil
	case "promote", "remove":
		if len(f) != 2 {
			return nil, fmt.Errorf("member %s needs one member's name or hex ID", f[0])
		}
		kind := clusterview.MemberPromote
		if f[0] == "remove" {
			kind = clusterview.MemberRemove
		}
		return clusterview.ActionMsg{Kind: kind, Member: f[1]}, nil
	}
	return nil, fmt.Errorf("member %s: say add, promote or remove", f[0])
}
