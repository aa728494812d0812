package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/pflag"

	"github.com/etcdeck/etcdeck/config"
	"github.com/etcdeck/etcdeck/tui"
)

// consoleFlags is the console's flag set: etcdctl's connection flags, etcdeck's globals, the
// embedded member's flags and --version. `etcdeck help` lists it too.
func consoleFlags() (*pflag.FlagSet, *config.Flags, *bool) {
	fs := pflag.NewFlagSet("etcdeck", pflag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	fs.Usage = func() {} // help and usage errors are printed by run and runHelp
	flags := config.RegisterFlags(fs)
	flags.EmbedFlags()
	showVersion := fs.Bool("version", false, "print the version of etcdeck and of the etcd modules")
	return fs, flags, showVersion
}

// runConsole parses the flags, starts or dials the cluster, and runs the UI.
func runConsole(args []string) int {
	fs, flags, showVersion := consoleFlags()
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			fmt.Print(helpText())
			return 0
		}
		return usageError(err)
	}
	if *showVersion {
		fmt.Print(versionText())
		return 0
	}
	if fs.NArg() > 0 {
		return usageError(fmt.Errorf("unknown command %q", fs.Arg(0)))
	}
	settings, log, logFile, code := setUp("etcdeck", flags)
	if code != 0 {
		return code
	}
	defer logFile.Close()
	if settings.Embedded || settings.Embed {
		if err := settings.Member.CheckURLs(); err != nil {
			return usageError(err) // before a child member is started only to fail
		}
	}

	sess, end, err := connect(context.Background(), &settings, true, log, logFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "etcdeck:", err)
		return 1
	}
	defer end()
	if err := tui.Run(sess.Context(), &settings, sess, log); err != nil {
		if errors.Is(err, tui.ErrCrashed) {
			return 2 // tui.Run already restored the terminal and named the log file
		}
		fmt.Fprintln(os.Stderr, "etcdeck:", err)
		return 1
	}
	return 0
}
