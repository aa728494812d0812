package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/etcdeck/etcdeck/embednode"
)

// newSnapshotRestoreCommand is `etcdeck snapshot restore FILE --data-dir D [...]`, etcdutl's
// command with its flags and defaults. It re-runs itself with --child for the restore proper, so
// a crash on a corrupt file leaves nothing behind.
func newSnapshotRestoreCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "restore FILE --data-dir DIR [flags]",
		Short: "restore a snapshot into a new data dir, as etcdutl does (in a child process)",
		Long: "Restores a snapshot into a new data dir, as `etcdutl snapshot restore` does: the file's sha256 is\n" +
			"checked, the restore runs in a child process into a temporary dir beside DIR, and DIR appears only\n" +
			"when it succeeded. DIR must not exist or be empty.",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErr(cmd, errors.New("want exactly one snapshot file"))
			}
			return nil
		},
		ValidArgsFunction: completeSnapshotFile,
	}
	fs := cmd.Flags()
	var o embednode.RestoreOptions
	fs.StringVar(&o.DataDir, "data-dir", "", "path to the output data directory (default \"<name>.etcd\")")
	fs.StringVar(&o.Name, "name", embednode.DefaultRestoreName, "human-readable name for this member")
	fs.StringVar(&o.InitialCluster, "initial-cluster", "", "initial cluster configuration for restore bootstrap (default: <name>=<initial-advertise-peer-urls>)")
	fs.StringVar(&o.InitialClusterToken, "initial-cluster-token", embednode.DefaultRestoreToken, "initial cluster token for the etcd cluster during restore bootstrap")
	fs.StringSliceVar(&o.PeerURLs, "initial-advertise-peer-urls", []string{embednode.DefaultRestorePeer}, "this member's peer URLs to advertise to the rest of the cluster")
	fs.Uint64Var(&o.BumpRevision, "bump-revision", 0, "how much to increase the latest revision after restore (needs --mark-compacted)")
	fs.BoolVar(&o.MarkCompacted, "mark-compacted", false, "mark the latest revision after restore as compacted (needs --bump-revision > 0)")
	fs.BoolVar(&o.SkipHashCheck, "skip-hash-check", false, "ignore the snapshot's integrity hash (needed for a db copied from a data dir)")
	child := fs.Bool("child", false, "do the restore in this process and report to the parent on stdout")
	fs.MarkHidden("child")
	// For a data dir read and thrown away: what `o` (embednode.OpenSnapshot) restores into.
	fs.BoolVar(&o.UnsafeNoFsync, "unsafe-no-fsync", false, "no fsync, for a data dir thrown away after reading")
	fs.BoolVar(&o.AuthOff, "unsafe-auth-off", false, "with --unsafe-no-fsync: authentication off in the throwaway copy")
	fs.MarkHidden("unsafe-no-fsync")
	fs.MarkHidden("unsafe-auth-off")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		o.Snapshot = args[0]
		if err := o.WithDefaults().Validate(); err != nil {
			return usageErr(cmd, err)
		}
		return exit(runSnapshotRestore(o, *child))
	}
	return cmd
}

// runSnapshotRestore restores o in a child process, or in this one when it is that child.
func runSnapshotRestore(o embednode.RestoreOptions, child bool) int {
	if child {
		res, err := embednode.Restore(o, restoreLogger())
		embednode.WriteRestoreOutcome(os.Stdout, res, err)
		if err != nil {
			return 1
		}
		return 0
	}
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "etcdeck snapshot restore: cannot find my own binary to run the restore:", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := embednode.RestoreInChild(ctx, exe, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "etcdeck snapshot restore:", err)
		return 1
	}
	fmt.Printf("restored %s into %s: revision %d", o.Snapshot, res.DataDir, res.Revision)
	if res.CompactRevision > 0 {
		fmt.Printf(", compacted at %d", res.CompactRevision)
	}
	if !res.HashChecked {
		fmt.Print(" (hash check skipped)")
	}
	fmt.Println()
	return 0
}

// restoreLogger writes etcdutl's warnings and errors as JSON lines on stderr, where the parent
// keeps the last ones for its error message.
func restoreLogger() *zap.Logger {
	cfg := zap.NewProductionConfig()
	cfg.Level = zap.NewAtomicLevelAt(zapcore.WarnLevel)
	cfg.OutputPaths = []string{"stderr"}
	cfg.Sampling = nil
	lg, err := cfg.Build()
	if err != nil {
		return zap.NewNop()
	}
	return lg
}
