package main

import (
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestHelpListsCommands: `etcdeck help` and `etcdeck --help` list every command of the table
// with its summary on one line, then the console's flags, on stdout.
func TestHelpListsCommands(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"--help"}, {"help", "help"}} {
		code, out, errText := etcdeck(t, args...)
		if code != 0 || errText != "" {
			t.Fatalf("%v: exit %d, stderr %q", args, code, errText)
		}
		lines := strings.Split(out, "\n")
		for _, c := range leaves(newRootCommand()) {
			name := brief(c)
			found := false
			for _, l := range lines {
				if strings.HasPrefix(strings.TrimSpace(l), name+" ") && strings.HasSuffix(l, c.Short) {
					found = true
				}
			}
			if !found {
				t.Errorf("%v: no line %q … %q in:\n%s", args, name, c.Short, out)
			}
		}
		if !strings.Contains(out, "--endpoints") || !strings.Contains(out, "--embed") {
			t.Errorf("%v: the console's flags are missing:\n%s", args, out)
		}
	}
}

// TestCommandHelp: `etcdeck help <command>`, `etcdeck <command> --help` and, for a group,
// `etcdeck <group>` alone print the command's usage and flags on stdout (so it pipes into a
// pager) and exit 0, for every command of the tree.
func TestCommandHelp(t *testing.T) {
	for _, c := range commandsOf(newRootCommand()) {
		if !c.HasParent() || c.Name() == "help" {
			continue
		}
		path := strings.Fields(c.CommandPath())[1:]
		runs := [][]string{append([]string{"help"}, path...), append(path, "--help")}
		if c.HasAvailableSubCommands() {
			runs = append(runs, path)
		}
		for _, args := range runs {
			code, out, errText := etcdeck(t, args...)
			if code != 0 || errText != "" || !strings.HasPrefix(out, "Usage: "+synopsis(c)+"\n") {
				t.Errorf("%v: exit %d, stdout %q, stderr %q; want 0 and the usage on stdout", args, code, out, errText)
			}
		}
	}
}

// TestBadFlagEveryCommand: a bad flag exits 2 with the one style of usage error, for every
// command of the tree: `<command path>: unknown flag`, then that command's usage line.
func TestBadFlagEveryCommand(t *testing.T) {
	for _, c := range commandsOf(newRootCommand()) {
		args := append(strings.Fields(c.CommandPath())[1:], "--no-such-flag")
		want := c.CommandPath() + ": unknown flag: --no-such-flag\n" + commandUsageLine(c) + "\n"
		if !c.HasParent() {
			want = "etcdeck: unknown flag: --no-such-flag\n" + usageLine + "\n"
		}
		code, out, errText := etcdeck(t, args...)
		if code != 2 || out != "" || errText != want {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and %q", args, code, out, errText, want)
		}
	}
}

// commandsOf is c and every visible command beneath it.
func commandsOf(c *cobra.Command) []*cobra.Command {
	out := []*cobra.Command{c}
	for _, s := range c.Commands() {
		if !s.Hidden {
			out = append(out, commandsOf(s)...)
		}
	}
	return out
}

// TestUsageErrors: an unknown command or flag exits 2 with the error and the usage line on
// stderr and nothing on stdout.
func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"bogus"}, "etcdeck: unknown command \"bogus\"\n" + usageLine},
		{[]string{"--no-such-flag"}, "etcdeck: unknown flag: --no-such-flag\n" + usageLine},
		{[]string{"--read-only", "bogus"}, "etcdeck: unknown command \"bogus\"\n" + usageLine},
		{[]string{"--listen-peer-urls", "http://x"}, "etcdeck: --listen-peer-urls: invalid URL \"http://x\": address x: missing port in address\n" + usageLine},
		{[]string{"help", "bogus"}, "etcdeck help: unknown command \"bogus\"\nUsage: etcdeck help [command] (etcdeck help --help lists them)"},
		{[]string{"help", "snapshot", "bogus"}, "etcdeck help: unknown command \"snapshot bogus\"\nUsage: etcdeck help [command] (etcdeck help --help lists them)"},
		{[]string{"snapshot", "bogus"}, "etcdeck snapshot: unknown command \"bogus\": snapshot takes save, status, restore\nUsage: etcdeck snapshot <command> (etcdeck snapshot --help lists them)"},
		{[]string{"completion", "tcsh"}, "etcdeck completion: unknown shell \"tcsh\": want bash, zsh, fish, powershell\nUsage: etcdeck completion bash|zsh|fish|powershell (etcdeck completion --help lists them)"},
	}
	for _, tt := range tests {
		code, out, errText := etcdeck(t, tt.args...)
		if want := tt.want + "\n"; code != 2 || errText != want || out != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and %q", tt.args, code, out, errText, want)
		}
	}
	code, _, errText := etcdeck(t, "member", "--bogus")
	if code != 2 || !strings.Contains(errText, "unknown flag: --bogus") || !strings.Contains(errText, "Usage: etcdeck member") {
		t.Errorf("member --bogus: exit %d, stderr %q", code, errText)
	}
	code, _, errText = etcdeck(t, "member", "--quota-backend-bytes", "-1")
	if code != 2 || !strings.Contains(errText, "--quota-backend-bytes: -1 is negative") {
		t.Errorf("member --quota-backend-bytes -1: exit %d, stderr %q", code, errText)
	}
	code, _, errText = etcdeck(t, "member", "--listen-client-urls", "bogus")
	if code != 2 || !strings.Contains(errText, `--listen-client-urls: invalid URL "bogus"`) || !strings.Contains(errText, "Usage: etcdeck member") {
		t.Errorf("member --listen-client-urls bogus: exit %d, stderr %q", code, errText)
	}
}

// TestLookup: two-word commands are found before one-word ones, and the rest of the arguments go
// to the command (cobra's Find on etcdeck's tree).
func TestLookup(t *testing.T) {
	tests := []struct {
		args []string
		path string
		rest []string
	}{
		{[]string{"snapshot", "save", "x.db"}, "etcdeck snapshot save", []string{"x.db"}},
		{[]string{"snapshot", "status"}, "etcdeck snapshot status", []string{}},
		{[]string{"snapshot", "bogus"}, "etcdeck snapshot", []string{"bogus"}},
		{[]string{"member"}, "etcdeck member", []string{}},
		{[]string{"save"}, "etcdeck", []string{"save"}},
	}
	for _, tt := range tests {
		c, rest, err := newRootCommand().Find(tt.args)
		if err != nil || c.CommandPath() != tt.path || !reflect.DeepEqual(rest, tt.rest) {
			t.Errorf("Find(%q) = %q %q %v, want %q %q", tt.args, c.CommandPath(), rest, err, tt.path, tt.rest)
		}
	}
}
