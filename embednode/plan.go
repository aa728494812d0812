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
	"unicode"
	"unicode/utf8"

	"github.com/etcdeck/etcdeck/cluster/member"
)

// DefaultPlanDataDir is where kubeadm and most packages keep etcd's data; the plan says to adjust it.
const DefaultPlanDataDir = "/var/lib/etcd"

// DefaultPlanBump is the --bump-revision a plan proposes: far more writes than a cluster sees
// between a backup and a restore, so the restored revision is past anything a client saw.
const DefaultPlanBump = 1_000_000_000

// PlanInput is what a restore plan is built from.
type PlanInput struct {
	ClusterID uint64
	Members   []member.Info
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
	if strings.ContainsRune(in.Snapshot+in.DataDir, 0) {
		return RestorePlan{}, errors.New("the snapshot path or data dir holds a NUL byte, which no command line can carry")
	}
	if in.DataDir == "" {
		in.DataDir = DefaultPlanDataDir
	}
	// The data dir's parent gets the moved-aside copy: a relative dir would depend on the shell's
	// directory, and "/" or a trailing slash would put the backup inside the dir itself.
	if !filepath.IsAbs(in.DataDir) {
		return RestorePlan{}, fmt.Errorf("data dir %s is not an absolute path (etcd's --data-dir on the members, e.g. %s)", shellQuote(in.DataDir), DefaultPlanDataDir)
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
	members := append([]member.Info(nil), in.Members...)
	sort.Slice(members, func(i, j int) bool { return members[i].Name < members[j].Name })
	seen := map[string]bool{}
	var initial []string
	for _, m := range members {
		switch {
		case m.Name == "":
			return RestorePlan{}, fmt.Errorf("member %x has not started (it has no name yet): start it or remove it before planning a restore", m.ID)
		case len(m.PeerURLs) == 0:
			return RestorePlan{}, fmt.Errorf("member %s has no peer URLs", shellQuote(m.Name))
		case seen[m.Name]:
			return RestorePlan{}, fmt.Errorf("two members are named %s: --initial-cluster needs unique names", shellQuote(m.Name))
		case strings.ContainsAny(m.Name, "=,"):
			return RestorePlan{}, fmt.Errorf("member name %s holds '=' or ',', which --initial-cluster cannot carry", shellQuote(m.Name))
		case strings.ContainsRune(m.Name+strings.Join(m.PeerURLs, ""), 0):
			return RestorePlan{}, fmt.Errorf("member %s has a NUL byte in its name or peer URLs, which no command line can carry", shellQuote(m.Name))
		}
		seen[m.Name] = true
		if m.Learner {
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
		if m.Learner {
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

// runbook is the order of the steps, each with the command where there is one. Every value in
// it went through shellQuote, so each step is one line whatever the cluster's names hold.
func (p RestorePlan) runbook() []string {
	var names []string
	for _, m := range p.Members {
		names = append(names, shellQuote(m.Name)+" ("+shellQuote(m.Host)+")")
	}
	health := "etcdctl --endpoints " + shellQuote(strings.Join(p.Endpoints(), ",")) + " endpoint health --cluster"
	if len(p.Endpoints()) == 0 {
		health = "etcdctl endpoint health --cluster"
	}
	return []string{
		"Stop every API server (Kubernetes: move kube-apiserver.yaml out of /etc/kubernetes/manifests on each control-plane node).",
		"Stop etcd on every member: " + strings.Join(names, ", ") + ".",
		"Copy the snapshot to " + shellQuote(p.Snapshot) + " on every member's host; check it with `etcdutl snapshot status " + shellQuote(p.Snapshot) + "`.",
		"On every member, move the data dir aside (never delete it): mv " + shellQuote(p.DataDir) + " " + shellQuote(p.Backup),
		"On every member, restore from the same file with its own command below.",
		"Start etcd on every member, with its usual flags.",
		"Check health: " + health,
		"Start the API servers.",
	}
}

// Text renders the plan for the screen: the runbook, then each member's command.
func (p RestorePlan) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Restore plan for cluster %x: %s from %s\n\n", p.ClusterID, plural(len(p.Members), "member"), shellQuote(p.Snapshot))
	for i, s := range p.runbook() {
		fmt.Fprintf(&b, "%d. %s\n", i+1, s)
	}
	for _, m := range p.Members {
		fmt.Fprintf(&b, "\n%s (on %s):\n  %s\n", shellQuote(m.Name), shellQuote(m.Host), strings.Join(commandLines(shellQuoteAll(m.Restore)), " \\\n    "))
	}
	if len(p.Learners) > 0 {
		fmt.Fprintf(&b, "\nNot restored (learners; add them again afterwards): %s\n", shellQuoteJoin(p.Learners, ", "))
	}
	fmt.Fprintf(&b, "\nNote: %s\n", BumpNote)
	return b.String()
}

// Commands is each member's restore command as one shell line, preceded by a comment naming the
// member and its host: what `y` on the plan copies, exactly as Text shows it (without the line
// breaks Text adds for reading).
func (p RestorePlan) Commands() []string {
	var out []string
	for _, m := range p.Members {
		out = append(out, "# "+shellQuote(m.Name)+" (on "+shellQuote(m.Host)+")", strings.Join(shellQuoteAll(m.Restore), " "))
	}
	return out
}

// Script renders the plan as a shell script run on each member's host with the member's name:
// it refuses while etcd runs there, moves the data dir aside and restores.
func (p RestorePlan) Script() string {
	var b strings.Builder
	b.WriteString("#!/usr/bin/env bash\n")
	fmt.Fprintf(&b, "# Restore plan for etcd cluster %x, written by etcdeck.\n#\n", p.ClusterID)
	for i, s := range p.runbook() {
		b.WriteString(comment(fmt.Sprintf("%d. %s", i+1, s)))
	}
	b.WriteString("#\n# This script does steps 4 and 5 on one member's host: run it there as\n#   " +
		"[SNAPSHOT=/path/to/file] [DATA_DIR=/path/to/data-dir] restore.sh MEMBER-NAME\n# after step 2 on every member.\n#\n")
	for _, line := range wrap("Note: "+BumpNote, 96) {
		b.WriteString(comment(line))
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
	// The names go to printf as one quoted argument: nothing in them is ever expanded.
	fmt.Fprintf(&b, "*)\n  printf 'usage: %%s MEMBER (one of: %%s)\\n' \"$0\" %s >&2\n  exit 2\n  ;;\nesac\n\n",
		shellQuote(shellQuoteJoin(names, " ")))
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

// comment renders one line of the script's comments: a newline or carriage return left in it
// (shellQuote never leaves one) is written as \n or \r, so no comment line can end early and
// turn the rest into a command.
func comment(line string) string {
	line = strings.NewReplacer("\n", `\n`, "\r", `\r`).Replace(line)
	return "# " + line + "\n"
}

// plural is "1 member", "3 members".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
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

// ShellQuote is shellQuote for the views: the Keys view's y copies a key that is not plain text
// as the shell word that reads back as its bytes (one quoting rule for the plan and the copy).
func ShellQuote(s string) string { return shellQuote(s) }

// shellQuote is the one way a value that came from the cluster or the user (a member name, a URL,
// a host, a path) reaches the restore plan, on screen and in the script, comments included. Safe
// words stay bare; printable text goes in single quotes; anything holding a control byte (a
// newline, ESC), a bidi or other format character, a line separator or bytes that are not UTF-8
// goes in bash's $'…' form with those written as \xNN bytes, so the result is one line of
// printable ASCII-safe text that the shell reads back as exactly s and never expands.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.,:/=@+%") == "" {
		return s
	}
	if plainPrintable(s) {
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	var b strings.Builder
	b.WriteString("$'")
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\\' || r == '\'':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < utf8.RuneSelf || unicode.IsPrint(r):
			b.WriteString(s[i : i+size])
		default:
			// Bytes, not \u: bash decodes \u only in a UTF-8 locale, and a root shell may not be in one.
			for j := i; j < i+size; j++ {
				fmt.Fprintf(&b, `\x%02x`, s[j])
			}
		}
		i += size
	}
	b.WriteString("'")
	return b.String()
}

// plainPrintable is true when s is valid UTF-8 of printable runes and spaces only: single quotes
// hold it safely and it shows as itself.
func plainPrintable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r != ' ' && (r < 0x20 || r == 0x7f || r >= utf8.RuneSelf && !unicode.IsPrint(r)) {
			return false
		}
	}
	return true
}

// shellQuoteJoin quotes each value and joins them with sep: a list of names in a sentence.
func shellQuoteJoin(values []string, sep string) string {
	return strings.Join(shellQuoteAll(values), sep)
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
