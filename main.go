// Command etcdeck is a terminal administration console for etcd. With no cluster named it starts a
// local embedded member in a child process; subcommands (`etcdeck help` lists them) do one job
// headless and exit.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// newRootCommand is the command tree: the console at its root, one file per subcommand
// (etcdctl's ctlv3/command/*_command.go). Adding a command is one line here and a file named for
// it; help, usage errors and completion come from the tree.
func newRootCommand() *cobra.Command {
	root := newConsoleCommand()
	snapshot := newGroupCommand("snapshot", "save, check and restore snapshot files",
		newSnapshotSaveCommand(), newSnapshotStatusCommand(), newSnapshotRestoreCommand())
	root.AddCommand(newMemberCommand(), snapshot, newDiagnoseCommand(), newDefragCommand(), newUsageCommand(), newCompletionCommand())
	root.SetHelpCommand(newHelpCommand())
	root.InitDefaultHelpCmd()                       // now, not at Execute: help and the tests list the whole tree
	root.CompletionOptions.DisableDefaultCmd = true // newCompletionCommand replaces it
	root.SilenceErrors, root.SilenceUsage = true, true
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageErr(c, err) })
	root.SetHelpFunc(func(c *cobra.Command, _ []string) { fmt.Fprint(c.OutOrStdout(), helpFor(c)) })
	registerCompletions(root)
	return root
}

func init() {
	cobra.EnableCommandSorting = false // help lists the commands in the tree's order
}

func main() {
	os.Exit(run(os.Args[1:]))
}

// run executes the command args name and returns its exit code: 0 ok, 1 failure, 2 usage.
// Commands print their own errors; a usage error is printed here, in one style.
func run(args []string) int {
	root := newRootCommand()
	root.SetArgs(args)
	root.SetOut(os.Stdout)
	root.SetErr(os.Stderr)
	err := root.Execute()
	var code exitCode
	var usage *usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &code):
		return int(code)
	case errors.As(err, &usage):
		printUsageError(os.Stderr, usage)
		return 2
	}
	fmt.Fprintln(os.Stderr, "etcdeck:", err) // cobra's own, none expected
	return 1
}

// exitCode ends a command with that code once it has said why on stderr.
type exitCode int

func (c exitCode) Error() string { return fmt.Sprintf("exit %d", int(c)) }

// exit turns a command's exit code into RunE's error.
func exit(code int) error {
	if code == 0 {
		return nil
	}
	return exitCode(code)
}

// usageError is a usage mistake in the command cmd: printed as `etcdeck <command>: <what is
// wrong>` and the command's usage line, exit 2.
type usageError struct {
	cmd *cobra.Command
	err error
}

func (u *usageError) Error() string { return u.err.Error() }

// usageErr is the usage error err of cmd, for RunE and cobra's flag and argument checks.
func usageErr(cmd *cobra.Command, err error) error { return &usageError{cmd, err} }

// usageLine is printed with the console's usage errors.
const usageLine = "Usage: etcdeck [flags] | etcdeck <command> [flags] (etcdeck help lists them)"

// printUsageError writes the one style of usage error.
func printUsageError(w io.Writer, u *usageError) {
	if !u.cmd.HasParent() {
		fmt.Fprintf(w, "etcdeck: %v\n%s\n", u.err, usageLine)
		return
	}
	fmt.Fprintf(w, "%s: %v\n%s\n", u.cmd.CommandPath(), u.err, commandUsageLine(u.cmd))
}

// commandUsageLine is a subcommand's usage line and where to read its flags.
func commandUsageLine(c *cobra.Command) string {
	return fmt.Sprintf("Usage: %s (%s --help lists them)", synopsis(c), c.CommandPath())
}

// synopsis is a command's path followed by what it takes ("etcdeck snapshot status FILE [-w
// table|json]"), from its Use.
func synopsis(c *cobra.Command) string {
	_, rest, _ := strings.Cut(c.Use, " ")
	return strings.Join(strings.Fields(c.CommandPath()+" "+rest), " ")
}

// brief is a command's synopsis for the command list: its bracketed flag groups ("[--keep N]",
// "[connection flags]") become one "[flags]", the rest stays ("FILE", "[command]"). The full
// synopsis is the first line of the command's own help.
func brief(c *cobra.Command) string {
	words := strings.Fields(synopsis(c))
	var out []string
	flags := false
	for i := 0; i < len(words); i++ {
		w := words[i]
		if !strings.HasPrefix(w, "[") {
			out = append(out, w)
			continue
		}
		group := []string{w}
		for depth := strings.Count(w, "[") - strings.Count(w, "]"); depth > 0 && i+1 < len(words); {
			i++
			group = append(group, words[i])
			depth += strings.Count(words[i], "[") - strings.Count(words[i], "]")
		}
		g := strings.Join(group, " ")
		if strings.HasPrefix(g, "[-") || strings.HasSuffix(g, "flags]") {
			if !flags {
				out = append(out, "[flags]")
			}
			flags = true
			continue
		}
		out = append(out, g)
	}
	return strings.Join(out, " ")
}

// newGroupCommand is a command that only holds subcommands (`etcdeck snapshot`): alone it prints
// its help; a word that is none of its subcommands is a usage error.
func newGroupCommand(name, short string, subs ...*cobra.Command) *cobra.Command {
	g := &cobra.Command{Use: name + " <command>", Short: short}
	g.AddCommand(subs...)
	g.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return cmd.Help()
		}
		return usageErr(cmd, unknownSub(cmd, args[0]))
	}
	return g
}

// unknownSub is the error for a word that is none of group's subcommands.
func unknownSub(group *cobra.Command, word string) error {
	var names []string
	for _, s := range group.Commands() {
		if s.IsAvailableCommand() {
			names = append(names, s.Name())
		}
	}
	return fmt.Errorf("unknown command %q: %s takes %s", word, group.Name(), strings.Join(names, ", "))
}

// newHelpCommand is `etcdeck help [command [sub]]`: the root's help, or that command's, on stdout.
func newHelpCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "list the commands and the console's flags, or one command's flags",
		RunE: func(cmd *cobra.Command, args []string) error {
			root := cmd.Root()
			target, rest, err := root.Find(args)
			switch {
			case len(args) == 0 || target == cmd:
				target = root
			case err != nil || target == root || len(rest) > 0:
				return usageErr(cmd, fmt.Errorf("unknown command %q", strings.Join(args, " ")))
			}
			return target.Help()
		},
	}
}

// helpFor is a command's help: the command list and the console's flags for the root; the usage,
// description, subcommands and flags for the others.
func helpFor(c *cobra.Command) string {
	if !c.HasParent() {
		return helpText(c)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: %s\n\n", synopsis(c))
	if c.Long != "" {
		fmt.Fprintf(&b, "%s\n\n", strings.TrimSpace(c.Long))
	} else {
		fmt.Fprintf(&b, "%s.\n\n", strings.ToUpper(c.Short[:1])+c.Short[1:])
	}
	if c.HasAvailableSubCommands() {
		b.WriteString("Commands:\n")
		listCommands(&b, c)
		b.WriteString("\n")
	}
	if c.HasAvailableLocalFlags() {
		fmt.Fprintf(&b, "Flags:\n%s", c.LocalFlags().FlagUsages())
	}
	return b.String()
}

// helpText lists every command with its summary, then the console's flags.
func helpText(root *cobra.Command) string {
	var b strings.Builder
	b.WriteString("etcdeck: a terminal administration console for etcd.\n\nCommands:\n")
	listCommands(&b, root)
	fmt.Fprintf(&b, "\n`etcdeck help <command>` or `etcdeck <command> --help` shows a command's flags.\n\nThe console's flags:\n%s", root.LocalFlags().FlagUsages())
	return b.String()
}

// listCommands writes one line per runnable command under c (c itself first when it runs),
// its brief synopsis and summary. Summaries are aligned after the synopses of up to alignMax
// characters; a longer synopsis is followed by its summary at once, so that one long command
// does not push every summary off an 80-column terminal.
func listCommands(w io.Writer, c *cobra.Command) {
	const alignMax = 36
	col := 0
	for _, l := range leaves(c) {
		if n := len(brief(l)); n <= alignMax {
			col = max(col, n)
		}
	}
	for _, l := range leaves(c) {
		fmt.Fprintf(w, "  %-*s   %s\n", col, brief(l), l.Short)
	}
}

// leaves are the commands under c that do something (c first when it does), in the tree's
// order; hidden ones (cobra's __complete) are left out.
func leaves(c *cobra.Command) []*cobra.Command {
	var out []*cobra.Command
	if !c.HasAvailableSubCommands() || !c.HasParent() {
		out = append(out, c)
	}
	for _, s := range c.Commands() {
		if s.IsAvailableCommand() || s.Name() == "help" {
			out = append(out, leaves(s)...)
		}
	}
	return out
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

// noArgs is the Args check of a command that takes none.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageErr(cmd, fmt.Errorf("unexpected argument %q", args[0]))
	}
	return nil
}
