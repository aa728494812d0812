package main

import (
	"reflect"
	"strings"
	"testing"
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
		for _, c := range commands() {
			name := strings.Join(strings.Fields("etcdeck "+c.name+" "+c.args), " ")
			found := false
			for _, l := range lines {
				if strings.HasPrefix(strings.TrimSpace(l), name+" ") && strings.HasSuffix(l, c.summary) {
					found = true
				}
			}
			if !found {
				t.Errorf("%v: no line %q … %q in:\n%s", args, name, c.summary, out)
			}
		}
		if !strings.Contains(out, "--endpoints") || !strings.Contains(out, "--embed") {
			t.Errorf("%v: the console's flags are missing:\n%s", args, out)
		}
	}
}

// TestCommandHelp: `etcdeck help <command>` and `etcdeck <command> --help` print the command's
// usage and flags on stdout (so it pipes into a pager) and exit 0.
func TestCommandHelp(t *testing.T) {
	for _, c := range commands() {
		if c.name == "" || c.name == "help" {
			continue
		}
		for _, args := range [][]string{append([]string{"help"}, strings.Fields(c.name)...), append(strings.Fields(c.name), "--help")} {
			code, out, errText := etcdeck(t, args...)
			if code != 0 || errText != "" || !strings.HasPrefix(out, "Usage: etcdeck "+c.name) {
				t.Errorf("%v: exit %d, stdout %q, stderr %q; want 0 and the usage on stdout", args, code, out, errText)
			}
		}
	}
}

// TestUsageErrors: an unknown command or flag exits 2 with the error and the usage line on
// stderr and nothing on stdout.
func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"bogus"}, `etcdeck: unknown command "bogus"`},
		{[]string{"--no-such-flag"}, "etcdeck: unknown flag: --no-such-flag"},
		{[]string{"--read-only", "bogus"}, `etcdeck: unknown command "bogus"`},
		{[]string{"help", "bogus"}, `etcdeck: help: unknown command "bogus"`},
		{[]string{"--listen-peer-urls", "http://x"}, `etcdeck: --listen-peer-urls: invalid URL "http://x": address x: missing port in address`},
		{[]string{"snapshot"}, "etcdeck: snapshot needs a subcommand: save, status, restore"},
		{[]string{"help", "snapshot"}, "etcdeck: help: snapshot needs a subcommand: save, status, restore"},
		{[]string{"snapshot", "bogus"}, `etcdeck: unknown command "snapshot bogus": snapshot takes save, status, restore`},
	}
	for _, tt := range tests {
		code, out, errText := etcdeck(t, tt.args...)
		if want := tt.want + "\n" + usageLine + "\n"; code != 2 || errText != want || out != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and %q", tt.args, code, out, errText, want)
		}
	}
	code, _, errText := etcdeck(t, "member", "--bogus")
	if code != 2 || !strings.Contains(errText, "unknown flag: --bogus") || !strings.Contains(errText, "Usage: etcdeck member") {
		t.Errorf("member --bogus: exit %d, stderr %q", code, errText)
	}
	code, _, errText = etcdeck(t, "member", "--listen-client-urls", "bogus")
	if code != 2 || !strings.Contains(errText, `--listen-client-urls: invalid URL "bogus"`) || !strings.Contains(errText, "Usage: etcdeck member") {
		t.Errorf("member --listen-client-urls bogus: exit %d, stderr %q", code, errText)
	}
}

// TestLookup: two-word commands match before one-word ones, and the rest of the arguments go
// to the command.
func TestLookup(t *testing.T) {
	table := []command{
		{name: "", summary: "console"},
		{name: "snapshot", summary: "group"},
		{name: "snapshot save", summary: "save"},
		{name: "member", summary: "member"},
	}
	tests := []struct {
		args []string
		name string
		rest []string
		ok   bool
	}{
		{[]string{"snapshot", "save", "x.db"}, "snapshot save", []string{"x.db"}, true},
		{[]string{"snapshot", "status"}, "snapshot", []string{"status"}, true},
		{[]string{"member"}, "member", []string{}, true},
		{[]string{"save"}, "", nil, false},
		{[]string{""}, "", nil, false},
	}
	for _, tt := range tests {
		c, rest, ok := lookup(table, tt.args)
		if ok != tt.ok || c.name != tt.name || (ok && !reflect.DeepEqual(rest, tt.rest)) {
			t.Errorf("lookup(%q) = %q %q %v, want %q %q %v", tt.args, c.name, rest, ok, tt.name, tt.rest, tt.ok)
		}
	}
}
