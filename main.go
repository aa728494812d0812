// Command etcdeck is a terminal administration console for etcd. With no cluster named it starts a
// local embedded member in a child process; subcommands (`etcdeck help` lists them) do one job
// headless and exit.
package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"text/tabwriter"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// command is one entry of the command table: a subcommand's name (one or two words, "" for the
// console), what follows it in help ("[flags]"), its one-line summary for `etcdeck help`, and
// what runs it with the arguments after its name, returning the exit code (0 ok, 1 failure,
// 2 usage).
type command struct {
	name    string
	args    string
	summary string
	run     func(args []string) int
}

// commands is the table of subcommands, in the order help lists them. Adding a command is one
// line here and a file named for it.
func commands() []command {
	return []command{
		{"", "[flags]", "the console (starts an embedded member when no cluster is named)", runConsole},
		{"member", "[flags]", "run an etcd member in the foreground", runMember},
		{"snapshot save", "[flags]", "save a snapshot of the cluster, then delete old ones (for cron)", runSnapshotSave},
		{"snapshot status", "FILE [-w table|json]", "check a snapshot file: sha256, revision, keys, size, storage version", runSnapshotStatus},
		{"snapshot restore", "FILE --data-dir DIR [flags]", "restore a snapshot into a new data dir, as etcdutl does (in a child process)", runSnapshotRestore},
		{"diagnose", "[flags]", "sample every member's health, latency and metrics, and report what is wrong", runDiagnose},
		{"help", "[command]", "list the commands and the console's flags, or one command's flags", runHelp},
	}
}

// usageLine is printed with every usage error.
const usageLine = "Usage: etcdeck [flags] | etcdeck <command> [flags] (etcdeck help lists them)"

func main() {
	os.Exit(run(os.Args[1:]))
}

// run finds the command args name and runs it; arguments starting with "-" belong to the
// console.
func run(args []string) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return runConsole(args)
	}
	if cmd, rest, ok := lookup(commands(), args); ok {
		return cmd.run(rest)
	}
	return usageError(unknownCommand(commands(), args))
}

// unknownCommand is the error for args that name no command. When args[0] is the first word of
// two-word commands ("snapshot"), it lists them, so `etcdeck snapshot` says what to add.
func unknownCommand(table []command, args []string) error {
	var subs []string
	for _, c := range table {
		if group, sub, ok := strings.Cut(c.name, " "); ok && group == args[0] {
			subs = append(subs, sub)
		}
	}
	switch {
	case len(subs) == 0:
		return fmt.Errorf("unknown command %q", args[0])
	case len(args) == 1:
		return fmt.Errorf("%s needs a subcommand: %s", args[0], strings.Join(subs, ", "))
	}
	return fmt.Errorf("unknown command %q: %s takes %s", args[0]+" "+args[1], args[0], strings.Join(subs, ", "))
}

// lookup matches the longest command name of table (two words first) at the start of args.
func lookup(table []command, args []string) (command, []string, bool) {
	for _, words := range []int{2, 1} {
		if len(args) < words {
			continue
		}
		name := strings.Join(args[:words], " ")
		for _, c := range table {
			if c.name != "" && c.name == name {
				return c, args[words:], true
			}
		}
	}
	return command{}, nil, false
}

// usageError reports a usage mistake on stderr with the usage line; the exit code is 2.
func usageError(err error) int {
	fmt.Fprintf(os.Stderr, "etcdeck: %v\n%s\n", err, usageLine)
	return 2
}

// runHelp is `etcdeck help [command]`: the command table and the console's flags, or one
// command's own help.
func runHelp(args []string) int {
	if len(args) > 0 {
		cmd, _, ok := lookup(commands(), args)
		switch {
		case ok && cmd.name == "help":
			fmt.Print(helpText())
			return 0
		case ok:
			return cmd.run([]string{"--help"})
		}
		return usageError(fmt.Errorf("help: %w", unknownCommand(commands(), args)))
	}
	fmt.Print(helpText())
	return 0
}

// helpText lists every command with its summary, then the console's flags.
func helpText() string {
	var b strings.Builder
	b.WriteString("etcdeck: a terminal administration console for etcd.\n\nCommands:\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 3, ' ', 0)
	for _, c := range commands() {
		fmt.Fprintf(tw, "  %s\t%s\n", strings.Join(strings.Fields("etcdeck "+c.name+" "+c.args), " "), c.summary)
	}
	tw.Flush()
	fs, _, _ := consoleFlags()
	fmt.Fprintf(&b, "\n`etcdeck help <command>` or `etcdeck <command> --help` shows a command's flags.\n\nThe console's flags:\n%s", fs.FlagUsages())
	return b.String()
}

// versionText is etcdeck's version and the etcd modules it was built with.
func versionText() string {
	var b strings.Builder
	fmt.Fprintf(&b, "etcdeck %s\n", version)
	if info, ok := debug.ReadBuildInfo(); ok {
		fmt.Fprintf(&b, "go %s\n", strings.TrimPrefix(info.GoVersion, "go"))
		for _, d := range info.Deps {
			if strings.HasPrefix(d.Path, "go.etcd.io/") {
				fmt.Fprintf(&b, "%s %s\n", d.Path, d.Version)
			}
		}
	}
	return b.String()
}
