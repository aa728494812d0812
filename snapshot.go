package main

import (
	"fmt"
	"os"
)

// runSnapshot dispatches `etcdeck snapshot save|status`.
func runSnapshot(args []string) int {
	if len(args) > 0 {
		switch args[0] {
		case "status":
			return runSnapshotStatus(args[1:])
		}
	}
	fmt.Fprintln(os.Stderr, "Usage: etcdeck snapshot status FILE [-w table|json]")
	return 2
}
