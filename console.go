package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/etcdeck/etcdeck/config"
	"github.com/etcdeck/etcdeck/tui"
)

// newConsoleCommand is the root command, the console: etcdctl's connection flags, etcdeck's
// globals, the embedded member's flags and --version. `etcdeck help` lists its flags too.
func newConsoleCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "etcdeck [flags]",
		Short: "the console (starts an embedded member when no cluster is named)",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErr(cmd, fmt.Errorf("unknown command %q", args[0]))
			}
			return nil
		},
	}
	fs := cmd.Flags()
	flags := config.RegisterFlags(fs)
	flags.EmbedFlags()
	showVersion := fs.Bool("version", false, "print the version of etcdeck and of the etcd modules")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if *showVersion {
			fmt.Print(versionText())
			return nil
		}
		return runConsole(cmd, flags)
	}
	return cmd
}

// runConsole starts or dials the cluster and runs the UI.
func runConsole(cmd *cobra.Command, flags *config.Flags) error {
	settings, log, logFile, code := setUp("etcdeck", flags)
	if code != 0 {
		return exit(code)
	}
	defer logFile.Close()
	limit := setMemoryLimit(&settings, os.Getenv)
	log.Info("memory limit", zap.Int64("bytes", limit), zap.String("GOMEMLIMIT", os.Getenv("GOMEMLIMIT")))
	if settings.Embedded || settings.Embed {
		if err := settings.Member.CheckURLs(); err != nil {
			return usageErr(cmd, err) // before a child member is started only to fail
		}
	}

	sess, end, err := connect(context.Background(), &settings, true, log, logFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "etcdeck:", err)
		return exit(1)
	}
	defer end()
	if settings.Context != "" {
		sess.Label = settings.Context + " " + sess.Label // the header says which context is active
	}
	ctxs := newConsoleContexts(&settings, sess, log, logFile)
	defer func() {
		if err := ctxs.close(); err != nil {
			fmt.Fprintln(os.Stderr, "etcdeck:", err)
		}
	}()
	active := settings.Context
	if active == "" && sess.Member != nil {
		active = config.EmbeddedContext
	}
	// The program lives on its own context: :ctx ends the first session and goes on.
	if err := tui.Run(context.Background(), &settings, sess, log, tui.WithContexts(ctxs, active)); err != nil {
		if errors.Is(err, tui.ErrCrashed) {
			return exit(2) // tui.Run already restored the terminal and named the log file
		}
		fmt.Fprintln(os.Stderr, "etcdeck:", err)
		return exit(1)
	}
	return nil
}
