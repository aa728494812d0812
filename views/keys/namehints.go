package keys

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/etcdeck/etcdeck/cluster"
)

// nameHints remembers the child names of the directories this view listed in its session. A
// directory listed again starts from its own names, and one never listed from its siblings'
// (Kubernetes' namespaced resources share their namespaces: /registry/events/ has the children
// /registry/pods/ has). On servers without RangeStream (etcd < 3.7) the listing's windows start
// at them (cluster.ListOptions.Hints): a directory whose names are known costs about one count
// of it instead of two or more. Wrong or stale names cost only their windows. Bounded:
// maxHintDirs directories of at most maxHintNames names each, maxHintBytes of names in all (a
// share of the caches' allowance in the memory limit, config.MemoryLimit).
type nameHints struct {
	dirs  map[string][]string
	order []string // least recently remembered first
	bytes int      // of the names and directories held
}

const (
	maxHintDirs  = 32
	maxHintNames = 1024
	maxHintBytes = 1 << 20
)

// hintSize is what dir's entry holds, in bytes.
func hintSize(dir string, names []string) int {
	n := len(dir)
	for _, s := range names {
		n += len(s)
	}
	return n
}

// remember adds the names of the directory rows among rows to dir's (a filtered listing lists
// some of them). Leaves are left out: a window per leaf costs an operation and saves nothing
// (etcd 3.4, a directory of 648 leaves listed again: 3.9 ms without their names, 8.9 with).
func (h *nameHints) remember(dir string, rows []cluster.Row) {
	names := cluster.DirNames(rows)
	if len(names) == 0 {
		return
	}
	if h.dirs == nil {
		h.dirs = map[string][]string{}
	}
	old, had := h.dirs[dir]
	if had {
		h.bytes -= hintSize(dir, old)
	}
	names = sortedCapped(append(names, old...))
	h.dirs[dir] = names
	h.bytes += hintSize(dir, names)
	h.order = append(slices.DeleteFunc(h.order, func(d string) bool { return d == dir }), dir)
	for len(h.order) > 1 && (len(h.order) > maxHintDirs || h.bytes > maxHintBytes) {
		h.bytes -= hintSize(h.order[0], h.dirs[h.order[0]])
		delete(h.dirs, h.order[0])
		h.order = h.order[1:]
	}
}

// forDir is dir's own names when it was listed, else the names of its listed siblings (the
// directories sharing its parent), sorted; nil when there are none. The slice is the caller's.
func (h *nameHints) forDir(dir string, sep byte) []string {
	if own := h.dirs[dir]; own != nil {
		return slices.Clone(own)
	}
	parent, ok := parentDir(dir, sep)
	if !ok {
		return nil
	}
	var names []string
	for d, n := range h.dirs {
		if p, ok := parentDir(d, sep); ok && p == parent && d != dir {
			names = append(names, n...)
		}
	}
	if names == nil {
		return nil
	}
	return sortedCapped(names)
}

// listWithProbe lists dir; first, when probe is set (a sibling cluster.ProbeSibling picked for
// a directory opened with no names known), it lists probe and gives its directories' names as
// hints. The listing's cost includes the probe's; the probe's rows come back to be remembered.
// A failed probe (a user who may not read the sibling) costs only itself, and a slow one at most
// probeTimeout (a frozen member must not make the listing wait out two command timeouts).
func listWithProbe(ctx context.Context, c *cluster.Client, dir, probe string, opts cluster.ListOptions) (cluster.Listing, []cluster.Row, error) {
	var probed []cluster.Row
	var cost cluster.ListStats
	if probe != "" {
		pctx, cancel := context.WithTimeout(ctx, probeTimeout)
		p, err := c.ListDir(pctx, probe, cluster.ListOptions{Sep: opts.Sep, Strategy: opts.Strategy})
		cancel()
		if err == nil {
			probed, cost = p.Rows, p.Stats
			opts.Hints = cluster.DirNames(p.Rows)
		}
	}
	l, err := c.ListDir(ctx, dir, opts)
	l.Stats.RoundTrips += cost.RoundTrips
	l.Stats.KeysRead += cost.KeysRead
	l.Stats.KeysCounted += cost.KeysCounted
	return l, probed, err
}

// probeTimeout bounds the sibling's listing: a small directory (at most a quarter of the one
// opened, usually a hundredth) that lists in tens of milliseconds on a healthy cluster.
const probeTimeout = time.Second

// parentDir is the directory holding dir ("/registry/pods/" → "/registry/"); false for the
// top, which ends with no separator.
func parentDir(dir string, sep byte) (string, bool) {
	trimmed, ok := strings.CutSuffix(dir, string([]byte{sep}))
	if !ok {
		return "", false
	}
	parent, _ := splitPath(trimmed, sep)
	return parent, true
}

// sortedCapped sorts names, drops repeats and keeps the first maxHintNames.
func sortedCapped(names []string) []string {
	slices.Sort(names)
	names = slices.Compact(names)
	if len(names) > maxHintNames {
		names = slices.Clip(names[:maxHintNames])
	}
	return names
}
