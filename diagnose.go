package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/etcdeck/etcdeck/cluster/monitor"
	"github.com/etcdeck/etcdeck/config"
)

// newDiagnoseCommand is `etcdeck diagnose`: it samples every member for --duration and prints a
// report (health, latency, status, alarms, metrics, leader changes, findings). Exit 0 when every
// member is healthy, 1 when one is not or the cluster cannot be reached, 2 on usage errors.
func newDiagnoseCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "diagnose [flags]",
		Short: "sample every member's health, latency and metrics, and report what is wrong",
		Long: "Samples every member for --duration (one poll a second, /metrics at both ends) and\n" +
			"prints a report. Exit 0 when every member is healthy, 1 when one is not.",
		Args: noArgs,
	}
	fs := cmd.Flags()
	flags := config.RegisterFlags(fs)
	// Accepted as everywhere, but nothing diagnose does depends on them: kept out of its help.
	fs.MarkHidden("backup-dir")
	fs.MarkHidden("key-separator")
	duration := fs.Duration("duration", 10*time.Second, "how long to sample the members")
	format := fs.StringP("write-out", "w", "table", "output format: table or json")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		switch {
		case *format != "table" && *format != "json":
			return usageErr(cmd, fmt.Errorf("-w %q: want table or json", *format))
		case *duration < 0:
			return usageErr(cmd, fmt.Errorf("--duration %s is negative", *duration))
		}
		return exit(runDiagnose(flags, *duration, *format))
	}
	return cmd
}

// runDiagnose samples the cluster flags name and prints the report.
func runDiagnose(flags *config.Flags, duration time.Duration, format string) int {
	settings, log, logFile, code := setUp("etcdeck diagnose", flags)
	if code != 0 {
		return code
	}
	defer logFile.Close()
	sess, end, err := connect(context.Background(), &settings, false, log, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "etcdeck diagnose:", err)
		return 1
	}
	defer end()
	// A dead endpoint is a finding, not a reason to refuse: the report covers the members.
	deadEndpoint := warnUnreachable("etcdeck diagnose", sess)

	// ctrl+c ends the sampling early; the report covers what was seen until then.
	stop, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	report := monitor.Diagnose(sess.Context(), sess.Client, monitor.DiagnoseOptions{Duration: duration, Stop: stop.Done()})
	if format == "json" {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(report)
	} else {
		err = report.WriteText(os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "etcdeck diagnose:", err)
		return 1
	}
	if !report.Healthy || deadEndpoint {
		return 1
	}
	return 0
}
