package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/config"
)

// newDefragCommand is `etcdeck defrag`, for cron: what ahrtr/etcd-defrag does — every member
// healthy first (a NOSPACE alarm alone allowed), followers first and the leader last, one at a
// time with a wait and a health check between, compaction first and NOSPACE disarmed after when
// asked. One line per member on stdout; exit 0 all done, 1 a member failed or the cluster is
// not healthy (or the session is read-only), 2 usage.
func newDefragCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use: "defrag [--cluster] [--compact] [--dry-run] [--free-threshold SIZE] [--continue-on-error] " +
			"[--wait-between D] [--disarm-nospace] [-w table|json] [connection flags]",
		Short: "defragment the members one at a time, leader last (for cron)",
		Long: "Defragments the members the endpoints answer as (--cluster: every member of the member\n" +
			"list), followers first and the leader last, after checking every member is healthy.\n" +
			"Exit 0 when all are done, 1 when one failed or the cluster is not healthy.",
		Args: noArgs,
	}
	fs := cmd.Flags()
	flags := config.RegisterFlags(fs)
	fs.MarkHidden("backup-dir")
	fs.MarkHidden("key-separator")
	var o defragOptions
	fs.BoolVar(&o.cluster, "cluster", false, "every member of the member list, not only those the endpoints answer as")
	fs.BoolVar(&o.Compact, "compact", false, "compact to the current revision first")
	fs.BoolVar(&o.DryRun, "dry-run", false, "say which members need it (the rule's verdict), change nothing")
	fs.StringVar(&o.free, "free-threshold", "", "only members whose free space (db size - in use) is above SIZE (256MiB)")
	fs.Float64Var(&o.Rule.QuotaShare, "quota-share", 0, "or whose database is above this share of its quota (0.8)")
	fs.BoolVar(&o.ContinueOnError, "continue-on-error", false, "go on with the next member when one fails")
	fs.DurationVar(&o.Wait, "wait-between", cluster.DefaultDefragWait, "wait between two members so the cluster settles")
	fs.DurationVar(&o.Timeout, "timeout", cluster.DefaultDefragTimeout, "give up on one member's defragment after this (not --command-timeout)")
	fs.BoolVar(&o.disarm, "disarm-nospace", false, "disarm the NOSPACE alarms once every member is done")
	fs.StringVarP(&o.format, "write-out", "w", "table", "output format: table or json")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		switch {
		case o.format != "table" && o.format != "json":
			return usageErr(cmd, fmt.Errorf("-w %q: want table or json", o.format))
		case o.Wait < 0 || o.Timeout < 0:
			return usageErr(cmd, errors.New("--wait-between and --timeout must not be negative"))
		case o.Rule.QuotaShare < 0 || o.Rule.QuotaShare > 1:
			return usageErr(cmd, fmt.Errorf("--quota-share %g: want a share between 0 and 1", o.Rule.QuotaShare))
		}
		if o.free != "" {
			n, err := config.ParseByteSize(o.free)
			if err != nil {
				return usageErr(cmd, fmt.Errorf("--free-threshold: %w", err))
			}
			o.Rule.FreeBytes = n
		}
		o.GivenOnly = !o.cluster
		return exit(runDefrag(flags, o))
	}
	return cmd
}

// defragOptions are defrag's flags: the run's options and the command's own.
type defragOptions struct {
	cluster.DefragOptions
	cluster, disarm bool
	free, format    string
}

// runDefrag connects, defragments and prints the report.
func runDefrag(flags *config.Flags, o defragOptions) int {
	const prefix = "etcdeck defrag"
	settings, log, logFile, code := setUp(prefix, flags)
	if code != 0 {
		return code
	}
	defer logFile.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	sess, end, err := connect(ctx, &settings, false, log, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, prefix+":", err)
		return 1
	}
	defer end()
	warnUnreachable(prefix, sess)
	o.Step = func(s string) { fmt.Fprintln(os.Stderr, prefix+":", cluster.EscapeText(s)) }
	rep, err := sess.Client.DefragCluster(sess.Context(), o.DefragOptions)
	if err == nil && o.disarm && !o.DryRun {
		var disarmed []cluster.Alarm
		if disarmed, err = sess.Client.DisarmAlarms(sess.Context(), "NOSPACE"); err == nil && len(disarmed) > 0 {
			fmt.Fprintf(os.Stderr, "%s: disarmed %d NOSPACE alarm(s)\n", prefix, len(disarmed))
		}
	}
	if len(rep.Members) > 0 || err == nil {
		if werr := writeDefragReport(os.Stdout, rep, o.format); werr != nil && err == nil {
			err = werr
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, prefix+":", err)
		return 1
	}
	return 0
}

// writeDefragReport prints one line per member (sizes before and after, the time taken, what
// became of it), or the report as JSON.
func writeDefragReport(w io.Writer, rep cluster.DefragReport, format string) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "MEMBER\tENDPOINT\tBEFORE\tIN USE\tAFTER\tIN USE\tTOOK\tRESULT\n")
	for _, m := range rep.Members {
		result, after, inUse, took := "ok", cluster.FormatBytes(m.After.DBSize), cluster.FormatBytes(m.After.InUse), cluster.FormatDuration(m.Took)
		switch {
		case m.Err != nil:
			result = "failed: " + m.Err.Error()
		case m.Skipped != "":
			result, after, inUse, took = "skipped: "+m.Skipped, "-", "-", "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", m.Label(), cluster.EscapeText(m.Endpoint),
			cluster.FormatBytes(m.Before.DBSize), cluster.FormatBytes(m.Before.InUse), after, inUse, took, cluster.EscapeText(result))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	line := "rule: " + rep.Rule
	if rep.Compacted > 0 {
		line += fmt.Sprintf(" · compacted to revision %d", rep.Compacted)
	}
	_, err := fmt.Fprintln(w, line)
	return err
}
