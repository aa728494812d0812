package embednode

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// DefaultPlanDataDir is where kubeadm and most packages keep etcd's data; the plan says to adjust it.
const DefaultPlanDataDir = "/var/lib/etcd"

// DefaultPlanBump is the --bump-revision a plan proposes: far more writes than a cluster sees
// between a backup and a restore, so the restored revision is past anything a client saw.
const DefaultPlanBump = 1_000_000_000

// PlanMember is one member of the live cluster, as its member list shows it.
type PlanMember struct {
	ID         uint64
	Name       string
	PeerURLs   []string
	ClientURLs []string
	IsLearner  bool
}

// PlanInput is what a restore plan is built from.
type PlanInput struct {
	ClusterID uint64
	Members   []PlanMember
	Snapshot  string // the snapshot file, at the same path on every member's host
	DataDir   string // etcd's --data-dir on the members; default DefaultPlanDataDir
	Bump      uint64 // --bump-revision; 0 means DefaultPlanBump
	Now       time.Time
}

// PlanStep is one member's restore.
type PlanStep struct {
	Name    string
	Host    string   // the host of its first peer URL, where the commands run
	Restore []string // the exact `etcdutl snapshot restore` command line
	Clients []string // its client URLs, for the health check
}

// RestorePlan is the runbook for restoring a remote cluster from one snapshot.
type RestorePlan struct {
	ClusterID      uint64
	Snapshot       string
	DataDir        string
	Backup         string // where each member's data dir is moved aside to
	InitialCluster string
	Token          string // a fresh --initial-cluster-token, so the restored cluster is new
	Bump           uint64
	Members        []PlanStep
	Learners       []string // learners etcdutl does not restore; add them again afterwards
}

// BuildRestorePlan builds the restore for every voting member from the live member list, as
// etcd's disaster-recovery guide does it: the same file, the same --initial-cluster and a fresh
// --initial-cluster-token on every member, each with its own --name and peer URLs.
func BuildRestorePlan(in PlanInput) (RestorePlan, error) {
	if in.Snapshot == "" {
		return RestorePlan{}, errors.New("no snapshot file chosen")
	}
	if in.DataDir == "" {
		in.DataDir = DefaultPlanDataDir
	}
	// The data dir's parent gets the moved-aside copy: a relative dir would depend on the shell's
	// directory, and "/" or a trailing slash would put the backup inside the dir itself.
	if !filepath.IsAbs(in.DataDir) {
		return RestorePlan{}, fmt.Errorf("data dir %q is not an absolute path (etcd's --data-dir on the members, e.g. %s)", in.DataDir, DefaultPlanDataDir)
	}
	if in.DataDir = filepath.Clean(in.DataDir); in.DataDir == "/" {
		return RestorePlan{}, errors.New("data dir / is the root directory, not etcd's data dir")
	}
	if in.Bump == 0 {
		in.Bump = DefaultPlanBump
	}
	if in.Now.IsZero() {
		in.Now = time.Now()
	}
	stamp := in.Now.UTC().Format("20060102T150405Z")
	p := RestorePlan{ClusterID: in.ClusterID, Snapshot: in.Snapshot, DataDir: in.DataDir,
		Backup: in.DataDir + BackupSuffix + stamp, Token: "etcd-cluster-restored-" + stamp, Bump: in.Bump}
	members := append([]PlanMember(nil), in.Members...)
	sort.Slice(members, func(i, j int) bool { return members[i].Name < members[j].Name })
	seen := map[string]bool{}
	var initial []string
	for _, m := range members {
		switch {
		case m.Name == "":
			return RestorePlan{}, fmt.Errorf("member %x has not started (it has no name yet): start it or remove it before planning a restore", m.ID)
		case len(m.PeerURLs) == 0:
			return RestorePlan{}, fmt.Errorf("member %s has no peer URLs", m.Name)
		case seen[m.Name]:
			return RestorePlan{}, fmt.Errorf("two members are named %s: --initial-cluster needs unique names", m.Name)
		case strings.ContainsAny(m.Name, "=,"):
			return RestorePlan{}, fmt.Errorf("member name %q holds '=' or ',', which --initial-cluster cannot carry", m.Name)
		}
		seen[m.Name] = true
		if m.IsLearner {
			p.Learners = append(p.Learners, m.Name)
			continue
		}
		for _, u := range m.PeerURLs {
			initial = append(initial, m.Name+"="+u)
		}
	}
	if len(initial) == 0 {
		return RestorePlan{}, errors.New("the member list holds no voting member")
	}
	p.InitialCluster = strings.Join(initial, ",")
	for _, m := range members {
		if m.IsLearner {
			continue
		}
		host := m.PeerURLs[0]
		if u, err := url.Parse(host); err == nil && u.Hostname() != "" {
			host = u.Hostname()
		}
		p.Members = append(p.Members, PlanStep{Name: m.Name, Host: host, Clients: m.ClientURLs,
			Restore: []string{"etcdutl", "snapshot", "restore", in.Snapshot,
				"--name", m.Name,
				"--initial-cluster", p.InitialCluster,
				"--initial-cluster-token", p.Token,
				"--initial-advertise-peer-urls", strings.Join(m.PeerURLs, ","),
				"--data-dir", in.DataDir,
				"--bump-revision", strconv.FormatUint(in.Bump, 10),
				"--mark-compacted"}})
	}
	return p, nil
}

// BumpNote says when Kubernetes (or any client that watches) needs --bump-revision with
// --mark-compacted.
const BumpNote = "--bump-revision with --mark-compacted (etcdutl takes them only together): needed when " +
	"anything watched the cluster after the snapshot was taken (Kubernetes API servers, controllers, " +
	"operators). Without the bump the restored revision is lower than revisions they saw, so their watches " +
	"and caches would wait for or misread changes; the bump puts the revision past all of them and marking it " +
	"compacted makes every watcher relist. Drop both only for a cluster nobody watched since the backup."

// Endpoints lists every member's client URLs, for the health check.
func (p RestorePlan) Endpoints() []string {
	var eps []string
	for _, m := range p.Members {
		eps = append(eps, m.Clients...)
	}
	return eps
}

// runbook is the order of the steps, each with the command where there is one.
func (p RestorePlan) runbook() []string {
	var names []string
	for _, m := range p.Members {
		names = append(names, m.Name+" ("+m.Host+")")
	}
	health := "etcdctl --endpoints " + strings.Join(p.Endpoints(), ",") + " endpoint health --cluster"
	if len(p.Endpoints()) == 0 {
		health = "etcdctl endpoint health --cluster"
	}
	return []string{
		"Stop every API server (Kubernetes: move kube-apiserver.yaml out of /etc/kubernetes/manifests on each control-plane node).",
		"Stop etcd on every member: " + strings.Join(names, ", ") + ".",
		"Copy the snapshot to " + p.Snapshot + " on every member's host; check it with `etcdutl snapshot status " + p.Snapshot + "`.",
		"On every member, move the data dir aside (never delete it): mv " + p.DataDir + " " + p.Backup,
		"On every member, restore from the same file with its own command below.",
		"Start etcd on every member, with its usual flags.",
		"Check health: " + health,
		"Start the API servers.",
	}
}

// Text renders the plan for the screen: the runbook, then each member's command.
func (p RestorePlan) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Restore plan for cluster %x: %d members from %s\n\n", p.ClusterID, len(p.Members), p.Snapshot)
	for i, s := range p.runbook() {
		fmt.Fprintf(&b, "%d. %s\n", i+1, s)
	}
	for _, m := range p.Members {
		fmt.Fprintf(&b, "\n%s (on %s):\n  %s\n", m.Name, m.Host, strings.Join(commandLines(shellQuoteAll(m.Restore)), " \\\n    "))
	}
	if len(p.Learners) > 0 {
		fmt.Fprintf(&b, "\nNot restored (learners; add them again afterwards): %s\n", strings.Join(p.Learners, ", "))
	}
	fmt.Fprintf(&b, "\nNote: %s\n", BumpNote)
	return b.String()
}

// Script renders the plan as a shell script run on each member's host with the member's name:
// it refuses while etcd runs there, moves the data dir aside and restores.
func (p RestorePlan) Script() string {
	var b strings.Builder
	b.WriteString("#!/usr/bin/env bash\n")
	fmt.Fprintf(&b, "# Restore plan for etcd cluster %x, written by etcdeck.\n#\n", p.ClusterID)
	for i, s := range p.runbook() {
		fmt.Fprintf(&b, "# %d. %s\n", i+1, s)
	}
	b.WriteString("#\n# This script does steps 4 and 5 on one member's host: run it there as\n#   " +
		"[SNAPSHOT=/path/to/file] [DATA_DIR=/path/to/data-dir] restore.sh MEMBER-NAME\n# after step 2 on every member.\n#\n")
	for _, line := range wrap("Note: "+BumpNote, 96) {
		b.WriteString("# " + line + "\n")
	}
	b.WriteString("set -euo pipefail\n\n")
	fmt.Fprintf(&b, "SNAPSHOT=${SNAPSHOT:-%s}\nDATA_DIR=${DATA_DIR:-%s}\nBACKUP=\"$DATA_DIR\"%s\n\n",
		shellQuote(p.Snapshot), shellQuote(p.DataDir), shellQuote(strings.TrimPrefix(p.Backup, p.DataDir)))
	b.WriteString("case \"${1:-}\" in\n")
	var names []string
	for _, m := range p.Members {
		names = append(names, m.Name)
		cmd := shellQuoteAll(m.Restore)
		cmd[3] = `"$SNAPSHOT"`
		for i := range cmd {
			if m.Restore[i] == p.DataDir && i > 0 && m.Restore[i-1] == "--data-dir" {
				cmd[i] = `"$DATA_DIR"`
			}
		}
		fmt.Fprintf(&b, "%s)\n  restore() {\n    %s\n  }\n  ;;\n", shellQuote(m.Name), strings.Join(commandLines(cmd), " \\\n      "))
	}
	fmt.Fprintf(&b, "*)\n  echo \"usage: $0 MEMBER (one of: %s)\" >&2\n  exit 2\n  ;;\nesac\n\n", strings.Join(names, " "))
	b.WriteString(`if pgrep -x etcd >/dev/null; then
  echo "etcd still runs on this host: stop it on every member first (step 2)" >&2
  exit 1
fi
if [ -e "$BACKUP" ]; then
  echo "$BACKUP exists: this member was already moved aside; restore by hand" >&2
  exit 1
fi
if [ -e "$DATA_DIR" ]; then
  mv "$DATA_DIR" "$BACKUP"
  echo "moved the old data dir to $BACKUP"
fi
restore
echo "restored $1 into $DATA_DIR; start etcd once every member is restored (step 6)"
`)
	return b.String()
}

// commandLines groups a command for display: the command and its file, then one flag (with its
// value) a line.
func commandLines(args []string) []string {
	if len(args) < 4 {
		return []string{strings.Join(args, " ")}
	}
	lines := []string{strings.Join(args[:4], " ")}
	for i := 4; i < len(args); i++ {
		if i+1 < len(args) && !strings.HasPrefix(args[i+1], "--") {
			lines = append(lines, args[i]+" "+args[i+1])
			i++
			continue
		}
		lines = append(lines, args[i])
	}
	return lines
}

// shellQuote quotes s for a POSIX shell when it holds anything but safe characters.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.,:/=@+%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func shellQuoteAll(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = shellQuote(a)
	}
	return out
}

// wrap breaks s into lines of at most width runes at spaces.
func wrap(s string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		if line != "" && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}
