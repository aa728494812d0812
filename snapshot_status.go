package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/etcdeck/etcdeck/embednode"
)

// newSnapshotStatusCommand is `etcdeck snapshot status FILE [-w table|json]`: the sha256 check,
// revision, total keys, total size and storage version of a snapshot file. The file is read by a
// second etcdeck process (--in-process), so a corrupt file that makes bbolt panic is reported as
// corrupt instead of crashing with a Go trace. Exit 1 when a check fails.
func newSnapshotStatusCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "status FILE [-w table|json]",
		Short: "check a snapshot file: sha256, revision, keys, size, storage version",
		Long:  "Checks a snapshot file: etcd's sha256, revision, total keys, total size, storage version.",
		Args: func(cmd *cobra.Command, args []string) error {
			switch {
			case len(args) == 0:
				return usageErr(cmd, errors.New("name the snapshot FILE to check"))
			case len(args) > 1:
				return usageErr(cmd, fmt.Errorf("unexpected argument %q (one FILE at a time)", args[1]))
			}
			return nil
		},
		ValidArgsFunction: completeSnapshotFile,
	}
	fs := cmd.Flags()
	format := fs.StringP("write-out", "w", "table", "output format: table or json")
	inProcess := fs.Bool("in-process", false, "read the file in this process (etcdeck runs itself this way)")
	fs.MarkHidden("in-process")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if *format != "table" && *format != "json" {
			return usageErr(cmd, fmt.Errorf("-w %q: want table or json", *format))
		}
		return exit(runSnapshotStatus(args[0], *format, *inProcess))
	}
	return cmd
}

// runSnapshotStatus checks the snapshot file at path, in a child process unless inProcess.
func runSnapshotStatus(path, format string, inProcess bool) int {
	var st embednode.SnapshotStatus
	var err error
	if inProcess {
		st, err = embednode.ReadSnapshotStatus(path)
	} else {
		exe, xerr := os.Executable()
		if xerr != nil {
			fmt.Fprintln(os.Stderr, "etcdeck snapshot status:", xerr)
			return 1
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		st, err = embednode.SnapshotStatusInChild(ctx, exe, path)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "etcdeck snapshot status:", err)
		return 1
	}
	if format == "json" {
		out, _ := json.Marshal(st)
		fmt.Println(string(out))
	} else {
		writeStatusTable(os.Stdout, st)
	}
	if inProcess {
		return 0 // the parent judges the result
	}
	if p := st.Problem(); p != "" {
		fmt.Fprintf(os.Stderr, "etcdeck snapshot status: %s: %s\n", path, p)
		return 1
	}
	return 0
}

// writeStatusTable prints a status as "name  value" lines.
func writeStatusTable(w io.Writer, st embednode.SnapshotStatus) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "file\t%s\n", st.Path)
	fmt.Fprintf(tw, "size\t%d bytes\n", st.Size)
	fmt.Fprintf(tw, "sha256\t%s\n", st.SHA256)
	if st.Error == "" {
		fmt.Fprintf(tw, "hash\t%08x\n", st.Hash)
		fmt.Fprintf(tw, "revision\t%d\n", st.Revision)
		fmt.Fprintf(tw, "total keys\t%d\n", st.TotalKey)
		fmt.Fprintf(tw, "total size\t%d bytes\n", st.TotalSize)
		version := st.Version
		if version == "" {
			version = "(not recorded: etcd < 3.6)"
		}
		fmt.Fprintf(tw, "version\t%s\n", version)
		if st.Auth != "" {
			fmt.Fprintf(tw, "auth\t%s\n", st.Auth)
		}
	} else {
		fmt.Fprintf(tw, "error\t%s\n", st.Error)
	}
	tw.Flush()
}
