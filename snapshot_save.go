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

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/backup"
	"github.com/etcdeck/etcdeck/config"
)

// runSnapshotSave is `etcdeck snapshot save [--backup-dir D | --output FILE] [--keep N]
// [--keep-days N]`: one snapshot of the cluster the connection flags name, from one member (a
// healthy follower first), then retention in the backup directory. The saved path goes to
// stdout, what happened and errors to stderr; SIGINT or SIGTERM cancels and leaves no file.
func runSnapshotSave(args []string) int {
	fs := pflag.NewFlagSet("etcdeck snapshot save", pflag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(os.Stdout, "Usage: etcdeck snapshot save [--backup-dir DIR | --output FILE] [--keep N] [--keep-days N] [connection flags]\n\n"+
			"Saves a snapshot of the cluster into the backup directory as\netcd-snapshot-<cluster-id>-<UTC time>-rev<revision>.db, then deletes that cluster's\n"+
			"snapshots older than --keep-days beyond the newest --keep. Prints the saved path.\n\n%s", fs.FlagUsages())
	}
	flags := config.RegisterFlags(fs)
	fs.MarkHidden("key-separator") // accepted as everywhere; a snapshot holds every key whatever it is
	output := fs.String("output", "", "write exactly this file instead (no naming, no retention)")
	keep := fs.Int("keep", 0, "always keep this cluster's newest N snapshots (default: config snapshot-keep, else "+strconv.Itoa(backup.DefaultKeep)+")")
	keepDays := fs.Int("keep-days", 0, "delete older snapshots once they are more than N days old (default: config snapshot-keep-days, else "+strconv.Itoa(backup.DefaultKeepDays)+")")
	timeout := fs.Duration("timeout", cluster.DefaultSaveTimeout, "give up when the save takes longer (not --command-timeout)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		return usageError(fmt.Errorf("snapshot save: %w", err))
	}
	if fs.NArg() > 0 {
		return usageError(fmt.Errorf("snapshot save: unexpected argument %q", fs.Arg(0)))
	}
	if *output != "" && fs.Changed("backup-dir") {
		return usageError(errors.New("snapshot save: --output and --backup-dir exclude each other"))
	}
	if fs.Changed("keep") && *keep < 1 {
		return usageError(errors.New("snapshot save: --keep must be at least 1 (the newest snapshot is always kept)"))
	}
	if fs.Changed("keep-days") && *keepDays < 0 {
		return usageError(errors.New("snapshot save: --keep-days must not be negative"))
	}
	settings, log, logFile, code := setUp("etcdeck snapshot save", flags)
	if code != 0 {
		return code
	}
	defer logFile.Close()
	if fs.Changed("keep") {
		settings.Retention.Keep = *keep
	}
	if fs.Changed("keep-days") {
		settings.Retention.KeepDays = *keepDays
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
	opts := backup.SaveOptions{Dir: settings.BackupDir, Output: *output, Timeout: *timeout, Retention: &settings.Retention}
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
