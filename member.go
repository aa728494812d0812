package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/config"
	"github.com/etcdeck/etcdeck/embednode"
)

// memberTLSFlags defines etcd's client TLS flags for `etcdeck member`.
func memberTLSFlags(fs *pflag.FlagSet, cfg *embednode.Config) {
	fs.StringVar(&cfg.CertFile, "cert-file", "", "path to the client server TLS cert file")
	fs.StringVar(&cfg.KeyFile, "key-file", "", "path to the client server TLS key file")
	fs.StringVar(&cfg.TrustedCAFile, "trusted-ca-file", "", "path to the client server TLS trusted CA cert file")
	fs.BoolVar(&cfg.ClientCertAuth, "client-cert-auth", false, "enable client cert authentication")
}

// memberTuningFlags defines etcd's flags that an opened snapshot's throwaway member sets (see
// embednode.OpenSnapshot); hidden, as nothing a user runs needs them.
func memberTuningFlags(fs *pflag.FlagSet, cfg *embednode.Config) {
	fs.BoolVar(&cfg.UnsafeNoFsync, "unsafe-no-fsync", false, "disable fsync (unsafe: data may be lost on a crash)")
	fs.UintVar(&cfg.TickMs, "heartbeat-interval", 0, "time (in milliseconds) of a heartbeat interval (default etcd's 100)")
	fs.UintVar(&cfg.ElectionMs, "election-timeout", 0, "time (in milliseconds) for an election to time out (default etcd's 1000)")
	fs.IntVar(&cfg.CompactionBatchLimit, "compaction-batch-limit", 0, "revisions a compaction deletes at a time (default etcd's 1000)")
	fs.DurationVar(&cfg.CompactionSleepInterval, "compaction-sleep-interval", 0, "pause between a compaction's batches (default etcd's 10ms)")
	for _, name := range []string{"unsafe-no-fsync", "heartbeat-interval", "election-timeout", "compaction-batch-limit", "compaction-sleep-interval"} {
		fs.MarkHidden(name)
	}
}

// newMemberCommand is `etcdeck member`: one etcd member in the foreground until SIGINT/SIGTERM.
// The console runs it as its child (--child), reading the ready line from stdout.
func newMemberCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "member [flags]",
		Short: "run an etcd member in the foreground",
		Long:  "Runs an etcd member in the foreground (logs on stderr unless --log-file).",
		Args:  noArgs,
	}
	fs := cmd.Flags()
	cfg := config.MemberFlags(fs)
	fs.StringVar(&cfg.InitialCluster, "initial-cluster", "", "initial cluster configuration for bootstrapping (default: this member alone)")
	fs.StringVar(&cfg.LogFile, "log-file", "", "write the member's logs to this file instead of stderr")
	fs.Int64Var(&cfg.QuotaBackendBytes, "quota-backend-bytes", 0, "raise alarms when the backend size exceeds this many bytes (default etcd's 2 GiB)")
	memberTLSFlags(fs, cfg)
	memberTuningFlags(fs, cfg)
	child := fs.Bool("child", false, "run as etcdeck's embedded member: report readiness on stdout, exit with the parent")
	fs.MarkHidden("child")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if err := cfg.CheckURLs(); err != nil {
			return usageErr(cmd, err)
		}
		if cfg.QuotaBackendBytes < 0 {
			return usageErr(cmd, fmt.Errorf("--quota-backend-bytes: %d is negative", cfg.QuotaBackendBytes))
		}
		return exit(runMember(cfg, *child))
	}
	return cmd
}

// runMember runs the member cfg names until a signal, or the parent's end when it is the
// console's child.
func runMember(cfg *embednode.Config, child bool) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if child {
		embednode.WatchParent(stop)
	}
	if !child { // the console did this before starting its child
		reportLeftovers(os.Stderr, "etcdeck member", cfg.DataDir)
		if audit, err := cluster.OpenAudit(cluster.AuditPath(config.StateDir())); err == nil {
			reportCompletedRestore(os.Stderr, "etcdeck member", cfg.DataDir, audit)
			audit.Close()
		} else {
			reportCompletedRestore(os.Stderr, "etcdeck member", cfg.DataDir, nil)
		}
	}
	startCtx, cancel := context.WithTimeout(ctx, 60*time.Second)
	m, err := embednode.Start(startCtx, *cfg)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "etcdeck member:", err)
		return 1
	}
	if child {
		line, _ := json.Marshal(embednode.Ready{Name: cfg.Name, ClientURLs: m.ClientURLs, PeerURLs: m.PeerURLs, DataDir: cfg.DataDir})
		fmt.Printf("%s%s\n", embednode.ReadyPrefix, line)
	} else {
		fmt.Printf("etcdeck member %q serving clients at %s (peers %s, data %s)\n",
			cfg.Name, strings.Join(m.ClientURLs, ","), strings.Join(m.PeerURLs, ","), cfg.DataDir)
	}
	select {
	case <-ctx.Done():
		m.Close(30 * time.Second)
		return 0
	case err := <-m.Err():
		fmt.Fprintln(os.Stderr, "etcdeck member:", err)
		m.Close(5 * time.Second)
		return 1
	case <-m.Done():
		fmt.Fprintln(os.Stderr, "etcdeck member: the member stopped")
		return 1
	}
}
