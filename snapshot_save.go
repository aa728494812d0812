package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/backup"
	"github.com/etcdeck/etcdeck/config"
)

// newSnapshotSaveCommand is `etcdeck snapshot save [--backup-dir D | --output FILE] [--keep N]
// [--keep-days N]`: one snapshot of the cluster the connection flags name, from one member (a
// healthy follower first), then retention in the backup directory. The saved path goes to
// stdout, what happened and errors to stderr; SIGINT or SIGTERM cancels and leaves no file.
func newSnapshotSaveCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "save [--backup-dir DIR | --output FILE] [--keep N] [--keep-days N] [connection flags]",
		Short: "save a snapshot of the cluster, then delete old ones (for cron)",
		Long: "Saves a snapshot of the cluster into the backup directory as\netcd-snapshot-<cluster-id>-<UTC time>-rev<revision>.db, then deletes that cluster's\n" +
			"snapshots older than --keep-days beyond the newest --keep. Prints the saved path.",
		Args: noArgs,
	}
	fs := cmd.Flags()
	flags := config.RegisterFlags(fs)
	fs.MarkHidden("key-separator") // accepted as everywhere; a snapshot holds every key whatever it is
	var o saveOptions
	fs.StringVar(&o.output, "output", "", "write exactly this file instead (no naming, no retention)")
	fs.IntVar(&o.keep, "keep", 0, "always keep this cluster's newest N snapshots (default: config snapshot-keep, else "+strconv.Itoa(backup.DefaultKeep)+")")
	fs.IntVar(&o.keepDays, "keep-days", 0, "delete older snapshots once they are more than N days old (default: config snapshot-keep-days, else "+strconv.Itoa(backup.DefaultKeepDays)+")")
	fs.DurationVar(&o.timeout, "timeout", cluster.DefaultSaveTimeout, "give up when the save takes longer (not --command-timeout)")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		switch {
		case o.output != "" && fs.Changed("backup-dir"):
			return usageErr(cmd, errors.New("--output and --backup-dir exclude each other"))
		case fs.Changed("keep") && o.keep < 1:
			return usageErr(cmd, errors.New("--keep must be at least 1 (the newest snapshot is always kept)"))
		case fs.Changed("keep-days") && o.keepDays < 0:
			return usageErr(cmd, errors.New("--keep-days must not be negative"))
		}
		o.keepSet, o.keepDaysSet = fs.Changed("keep"), fs.Changed("keep-days")
		return exit(runSnapshotSave(flags, o))
	}
	return cmd
}

// saveOptions are snapshot save's own flags.
type saveOptions struct {
	output               string
	keep, keepDays       int
	keepSet, keepDaysSet bool
	timeout              time.Duration
}

// runSnapshotSave saves one snapshot, then applies retention unless --output named the file.
func runSnapshotSave(flags *config.Flags, o saveOptions) int {
	settings, log, logFile, code := setUp("etcdeck snapshot save", flags)
	if code != 0 {
		return code
	}
	defer logFile.Close()
	if o.keepSet {
		settings.Retention.Keep = o.keep
	}
	if o.keepDaysSet {
		settings.Retention.KeepDays = o.keepDays
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	sess, end, err := connect(ctx, &settings, false, log, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "etcdeck snapshot save:", err)
		return 1
	}
	defer end()
	warnUnreachable("etcdeck snapshot save", sess)
	opts := backup.SaveOptions{Dir: settings.BackupDir, Output: o.output, Timeout: o.timeout}
	if o.output == "" {
		opts.Retention = &settings.Retention
	}
	if term.IsTerminal(int(os.Stderr.Fd())) {
		// Someone is watching (not cron): show how far it has come on one rewritten line.
		opts.Progress = func(p cluster.SaveProgress) {
			fmt.Fprintf(os.Stderr, "\r%s of %s from the %s %s · %s · %s  ", cluster.FormatBytes(p.Bytes), cluster.FormatBytes(p.Total),
				p.Role, p.Endpoint, cluster.FormatRate(p.Bytes, max(p.Elapsed, time.Millisecond)), p.Elapsed.Round(time.Second))
		}
	}
	res, err := backup.Save(sess.Context(), sess.Client, opts)
	if opts.Progress != nil {
		fmt.Fprint(os.Stderr, "\r\x1b[K") // clear the progress line
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "etcdeck snapshot save:", err)
		return 1
	}
	fmt.Println(res.Path)
	fmt.Fprintf(os.Stderr, "saved from the %s %s: %s in %s (%s), revision %d\n", res.Role, res.Endpoint,
		cluster.FormatBytes(res.Bytes), res.Elapsed.Round(100*time.Millisecond), cluster.FormatRate(res.Bytes, max(res.Elapsed, time.Millisecond)), res.Revision)
	for _, d := range res.Deleted {
		fmt.Fprintf(os.Stderr, "retention (keep %d, keep-days %d) deleted %s\n", settings.Retention.Keep, settings.Retention.KeepDays, d.Path)
	}
	if res.RetentionErr != nil {
		fmt.Fprintln(os.Stderr, "etcdeck snapshot save:", res.RetentionErr)
		return 1
	}
	return 0
}
