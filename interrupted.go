package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/etcdeck/etcdeck/embednode"
)

// checkInterruptedRestore looks for what an interrupted `R` leaves beside the embedded member's
// data dir (a backup and no data dir), says so, and on a terminal offers to put the old data
// back; started otherwise, the member would begin empty. An error means: do not start.
func checkInterruptedRestore(dataDir string, in io.Reader, out io.Writer, terminal bool) error {
	found, err := embednode.FindInterruptedRestore(dataDir)
	if err != nil || found == nil {
		return err
	}
	fmt.Fprintf(out, "etcdeck: %s.\n", found)
	if !terminal {
		return fmt.Errorf("not starting an empty member in its place: move %s back to %s (or run etcdeck on a terminal to be asked)", found.Backup, found.DataDir)
	}
	fmt.Fprintf(out, "Put the old data back in %s and start on it? [y/N] ", found.DataDir)
	answer, _ := bufio.NewReader(in).ReadString('\n')
	if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
		return fmt.Errorf("not starting an empty member in its place: the old data stays in %s", found.Backup)
	}
	if err := found.PutBack(); err != nil {
		return err
	}
	fmt.Fprintf(out, "etcdeck: the old data is back in %s.\n", found.DataDir)
	return nil
}
