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
	"github.com/etcdeck/etcdeck/embednode"
)

// newUsageCommand is `etcdeck usage FILE|--endpoints … [--prefix P] [--depth N] [-w table|json]`:
// what fills the database. With a snapshot FILE, read offline by a second etcdeck process (a
// corrupt file that makes bbolt panic is reported, not a Go trace): per prefix the stored
// revisions, tombstones and bytes including old revisions, the leases and their keys. With
// --endpoints (or --context), per child of the prefix the live keys and bytes of current values.
// Exit 1 when the file cannot be read or the cluster does not answer, 2 for usage.
func newUsageCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "usage FILE|--endpoints … [--prefix P] [--depth N] [-w table|json]",
		Short: "what fills the database: stored revisions and bytes per prefix, or live keys",
		Long: "With a snapshot FILE: per prefix, the stored revisions, tombstones and bytes including\n" +
			"old revisions (what a compaction would free), largest first with its share of the\n" +
			"database, the revision range covered, and the leases with their attached keys.\n" +
			"With --endpoints or --context: per child of the prefix, the keys and bytes of current values.",
		ValidArgsFunction: completeSnapshotFile,
	}
	fs := cmd.Flags()
	flags := config.RegisterFlags(fs)
	fs.MarkHidden("backup-dir")
	var o usageOptions
	fs.StringVar(&o.prefix, "prefix", "", "only keys under this prefix (escapes as the console shows keys: \\x00)")
	fs.IntVar(&o.depth, "depth", embednode.DefaultUsageDepth, "segments after the prefix that make a row")
	fs.StringVarP(&o.format, "write-out", "w", "table", "output format: table or json")
	fs.BoolVar(&o.inProcess, "in-process", false, "read the file in this process (etcdeck runs itself this way)")
	fs.StringVar(&o.prefixHex, "prefix-hex", "", "the prefix in hex (the child's protocol)")
	fs.IntVar(&o.sepByte, "sep-byte", '/', "the separator byte (the child's protocol)")
	fs.IntVar(&o.maxRows, "max-rows", 0, "rows kept (the child's protocol)")
	for _, h := range []string{"in-process", "prefix-hex", "sep-byte", "max-rows"} {
		fs.MarkHidden(h)
	}
	cmd.Args = func(cmd *cobra.Command, args []string) error {
		live := fs.Changed("endpoints") || fs.Changed("context") || os.Getenv("ETCDCTL_ENDPOINTS") != ""
		switch {
		case len(args) > 1:
			return usageErr(cmd, fmt.Errorf("unexpected argument %q (one FILE at a time)", args[1]))
		case len(args) == 1 && fs.Changed("endpoints"):
			return usageErr(cmd, errors.New("name a snapshot FILE or --endpoints, not both"))
		case len(args) == 0 && !live:
			return usageErr(cmd, errors.New("name a snapshot FILE to read, or the cluster with --endpoints"))
		}
		return nil
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		switch {
		case o.format != "table" && o.format != "json":
			return usageErr(cmd, fmt.Errorf("-w %q: want table or json", o.format))
		case o.depth < 1:
			return usageErr(cmd, fmt.Errorf("--depth %d: want 1 or more", o.depth))
		}
		p, err := cluster.UnescapeKey(o.prefix)
		if err != nil {
			return usageErr(cmd, fmt.Errorf("--prefix %s: %w", o.prefix, err))
		}
		o.prefix = p
		if len(args) == 1 {
			// The file's keys split on the separator the flag names; the rest of the
			// connection settings do not apply to a file.
			if sep := fs.Lookup("key-separator").Value.String(); len(sep) == 1 {
				o.sep = sep[0]
			} else {
				return usageErr(cmd, fmt.Errorf("--key-separator %q: want one byte", sep))
			}
			return exit(runUsageFile(args[0], o))
		}
		return exit(runUsageLive(flags, o))
	}
	return cmd
}

// usageOptions are usage's flags.
type usageOptions struct {
	prefix, format, prefixHex string
	depth, sepByte, maxRows   int
	inProcess                 bool
	sep                       byte
}

const usagePrefix = "etcdeck usage"

// runUsageFile reads a snapshot file's usage, in a child process unless this is the child.
func runUsageFile(path string, o usageOptions) int {
	uo := embednode.UsageOptions{Prefix: o.prefix, Depth: o.depth, Sep: o.sep}
	if o.inProcess {
		p, err := embednode.ParseUsagePrefixHex(o.prefixHex)
		if err != nil || o.sepByte < 1 || o.sepByte > 0xfe {
			fmt.Fprintf(os.Stderr, "%s%v (sep %d)\n", embednode.UsageChildErrPrefix, err, o.sepByte)
			return 1
		}
		uo.Prefix, uo.Sep, uo.MaxRows = p, byte(o.sepByte), o.maxRows
		u, err := embednode.ReadUsage(path, uo)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s%v\n", embednode.UsageChildErrPrefix, err)
			return 1
		}
		if err := embednode.WriteUsageForParent(os.Stdout, u); err != nil {
			fmt.Fprintf(os.Stderr, "%s%v\n", embednode.UsageChildErrPrefix, err)
			return 1
		}
		return 0
	}
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, usagePrefix+":", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	u, err := embednode.UsageInChild(ctx, exe, path, uo)
	if err != nil {
		fmt.Fprintln(os.Stderr, usagePrefix+":", cluster.EscapeText(err.Error()))
		return 1
	}
	if err := writeStoredUsage(os.Stdout, u, o.format); err != nil {
		fmt.Fprintln(os.Stderr, usagePrefix+":", err)
		return 1
	}
	return 0
}

// runUsageLive connects and sums the live keys and values per child of the prefix.
func runUsageLive(flags *config.Flags, o usageOptions) int {
	settings, log, logFile, code := setUp(usagePrefix, flags)
	if code != 0 {
		return code
	}
	defer logFile.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	sess, end, err := connect(ctx, &settings, false, log, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, usagePrefix+":", err)
		return 1
	}
	defer end()
	warnUnreachable(usagePrefix, sess)
	rep, err := sess.Client.LiveUsage(sess.Context(), o.prefix, settings.Sep, o.depth)
	if err != nil {
		fmt.Fprintln(os.Stderr, usagePrefix+":", err)
		return 1
	}
	if err := writeLiveUsage(os.Stdout, rep, o.format); err != nil {
		fmt.Fprintln(os.Stderr, usagePrefix+":", err)
		return 1
	}
	return 0
}

// storedJSON is the stored report as JSON: the prefixes escaped as the console shows keys (JSON
// would replace bytes that are not UTF-8).
type storedJSON struct {
	embednode.Usage
	Prefix string `json:"prefix"`
}

// writeStoredUsage prints the stored report: the rows largest first with their share bar, then
// the revision range and the leases.
func writeStoredUsage(w io.Writer, u embednode.Usage, format string) error {
	if format == "json" {
		out := storedJSON{Usage: u, Prefix: cluster.EscapeKey(u.Prefix)}
		out.Rows = append([]embednode.UsageRow(nil), u.Rows...)
		for i := range out.Rows {
			out.Rows[i].Prefix = cluster.EscapeKey(out.Rows[i].Prefix)
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "PREFIX\tREVISIONS\tTOMBSTONES\tBYTES\tSHARE\t\n")
	for _, r := range u.Rows {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\n", cluster.EscapeKey(r.Prefix), r.Revisions, r.Tombstones,
			cluster.FormatBytes(r.Bytes), cluster.Percent(r.Bytes, u.BucketBytes), cluster.ShareBar(r.Bytes, u.BucketBytes, 20))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "file %s: %s; %d revisions (%d tombstones) take %s; revisions %d to %d",
		cluster.EscapeText(u.Path), cluster.FormatBytes(u.FileSize), u.Revisions, u.Tombstones,
		cluster.FormatBytes(u.BucketBytes), u.MinRev, u.MaxRev)
	if u.CompactRev > 0 {
		fmt.Fprintf(w, ", compacted at %d", u.CompactRev)
	}
	fmt.Fprintf(w, "\nleases: %d, %d keys attached", len(u.Leases), u.LeasedKeys)
	for i, l := range u.Leases {
		if i == 5 {
			fmt.Fprintf(w, "; …")
			break
		}
		fmt.Fprintf(w, "; %x ttl %ds %d keys", l.ID, l.TTL, l.Keys)
	}
	_, err := fmt.Fprintln(w)
	return err
}

// writeLiveUsage prints the live report: the children largest first with their share bar.
func writeLiveUsage(w io.Writer, rep cluster.LiveUsageReport, format string) error {
	if format == "json" {
		out := rep
		out.Prefix = cluster.EscapeKey(rep.Prefix)
		out.Rows = append([]cluster.LiveUsageRow(nil), rep.Rows...)
		for i := range out.Rows {
			out.Rows[i].Name = cluster.EscapeKey(out.Rows[i].Name)
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "CHILD\tKEYS\tBYTES\tSHARE\t\n")
	for _, r := range rep.Rows {
		b := r.KeyBytes + r.ValueBytes
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\n", cluster.EscapeKey(r.Name), r.Keys, cluster.FormatBytes(b),
			cluster.Percent(b, rep.Bytes), cluster.ShareBar(b, rep.Bytes, 20))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "under %s at revision %d: %d keys, %s of keys and current values\n",
		cluster.EscapeKey(rep.Prefix), rep.Rev, rep.Keys, cluster.FormatBytes(rep.Bytes))
	return err
}
