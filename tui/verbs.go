package tui

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/views/access"
	"github.com/etcdeck/etcdeck/views/clusterview"
	"github.com/etcdeck/etcdeck/views/common"
	"github.com/etcdeck/etcdeck/views/keys"
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
