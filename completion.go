package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/etcdeck/etcdeck/config"
)

// shells are the shells `etcdeck completion` writes a script for.
var shells = []string{"bash", "zsh", "fish", "powershell"}

// newCompletionCommand is `etcdeck completion SHELL`: the completion script of one shell, on
// stdout. The scripts call `etcdeck __complete`, which completes from the command tree: commands,
// flags, and the values registerCompletions names.
func newCompletionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "completion bash|zsh|fish|powershell",
		Short: "print the shell completion script (commands, flags, contexts, snapshot files)",
		Long: `Prints the completion script of one shell on stdout: commands, flags, the config file's
context names for --context, -w values, and the backup directory's snapshot files for
snapshot status and restore. To load it:

  bash:        source <(etcdeck completion bash)       # or save it under
               ~/.local/share/bash-completion/completions/etcdeck
  zsh:         etcdeck completion zsh > "${fpath[1]}/_etcdeck"   # then start a new shell
  fish:        etcdeck completion fish > ~/.config/fish/completions/etcdeck.fish
  powershell:  etcdeck completion powershell | Out-String | Invoke-Expression`,
		ValidArgs: shells,
		Args: func(cmd *cobra.Command, args []string) error {
			switch {
			case len(args) != 1:
				return usageErr(cmd, fmt.Errorf("name one shell: %s", strings.Join(shells, ", ")))
			case !slices.Contains(shells, args[0]):
				return usageErr(cmd, fmt.Errorf("unknown shell %q: want %s", args[0], strings.Join(shells, ", ")))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			root, out := cmd.Root(), cmd.OutOrStdout()
			var err error
			switch args[0] {
			case "bash":
				err = root.GenBashCompletionV2(out, true)
			case "zsh":
				err = root.GenZshCompletion(out)
			case "fish":
				err = root.GenFishCompletion(out, true)
			case "powershell":
				err = root.GenPowerShellCompletionWithDesc(out)
			}
			if err != nil {
				fmt.Fprintln(os.Stderr, "etcdeck completion:", err)
				return exit(1)
			}
			return nil
		},
	}
}

// registerCompletions gives every command of the tree that has them completion of --context
// (the config file's contexts) and -w (table, json).
func registerCompletions(c *cobra.Command) {
	if c.Flags().Lookup("context") != nil {
		c.RegisterFlagCompletionFunc("context", func(cmd *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			var names []cobra.Completion
			for _, n := range config.CompletionHints(flagValue(cmd, "config")).Contexts {
				if strings.HasPrefix(n, toComplete) {
					names = append(names, n)
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		})
	}
	if c.Flags().Lookup("write-out") != nil {
		c.RegisterFlagCompletionFunc("write-out", cobra.FixedCompletions([]cobra.Completion{"table", "json"}, cobra.ShellCompDirectiveNoFileComp))
	}
	for _, s := range c.Commands() {
		registerCompletions(s)
	}
}

// completeSnapshotFile offers the snapshot files of the backup directory (the config file's, or
// the default) for `snapshot status` and `restore`; when none matches what is typed, the shell
// completes file names as usual.
func completeSnapshotFile(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp // one FILE
	}
	dir := config.CompletionHints(flagValue(cmd, "config")).BackupDir
	entries, _ := os.ReadDir(dir)
	var files []cobra.Completion
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		if e.Type().IsRegular() && strings.HasSuffix(e.Name(), ".db") && strings.HasPrefix(path, toComplete) {
			files = append(files, path)
		}
	}
	if len(files) == 0 {
		return nil, cobra.ShellCompDirectiveDefault
	}
	return files, cobra.ShellCompDirectiveNoFileComp
}

// flagValue is the value of cmd's flag name, "" when it has none.
func flagValue(cmd *cobra.Command, name string) string {
	if f := cmd.Flags().Lookup(name); f != nil {
		return f.Value.String()
	}
	return ""
}
