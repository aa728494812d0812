package tui

// The argument readers of the verbs that act on one concern's view: leases, maintenance and
// membership (the Cluster view), find and usage. Each turns the text after the verb into that
// view's message, or an error the command line shows with the verb's usage (verbs.go).

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/views/clusterview"
	findview "github.com/etcdeck/etcdeck/views/find"
	"github.com/etcdeck/etcdeck/views/leases"
	"github.com/etcdeck/etcdeck/views/usage"
)

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
