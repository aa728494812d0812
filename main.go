// Command etcdeck is a terminal administration console for etcd. With no cluster named it starts a
// local embedded member in a child process; `etcdeck member` runs a member in the foreground.
package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"strings"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) > 0 {
		switch args[0] {
		case "member":
			return runMember(args[1:])
		case "snapshot":
			if len(args) > 1 && args[1] == "restore" {
				return runSnapshotRestore(args[2:])
			}
		}
	}
	return runConsole(args)
}

// versionText is etcdeck's version and the etcd modules it was built with.
func versionText() string {
	var b strings.Builder
	fmt.Fprintf(&b, "etcdeck %s\n", version)
	if info, ok := debug.ReadBuildInfo(); ok {
		fmt.Fprintf(&b, "go %s\n", strings.TrimPrefix(info.GoVersion, "go"))
		for _, d := range info.Deps {
			if strings.HasPrefix(d.Path, "go.etcd.io/") {
				fmt.Fprintf(&b, "%s %s\n", d.Path, d.Version)
			}
		}
	}
	return b.String()
}
