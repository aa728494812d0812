package embednode_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/etcdeck/etcdeck/cluster/member"
	"github.com/etcdeck/etcdeck/embednode"
)

// FuzzShellQuote: whatever a path or name holds, the shell reads back exactly it.
func FuzzShellQuote(f *testing.F) {
	for _, s := range []string{"", "plain", "it's", "a b", "$HOME", "`x`", "\"q\"", "a\nb", "--flag", "ünï"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.ContainsRune(s, 0) {
			t.Skip("a shell word cannot hold NUL")
		}
		out, err := exec.Command("bash", "-c", "printf %s "+embednode.ShellQuote(s)).Output()
		if err != nil || string(out) != s {
			t.Fatalf("%q quoted as %s reads back %q (%v)", s, embednode.ShellQuote(s), out, err)
		}
	})
}

// FuzzBuildRestorePlan: any member list gives a plan or an error, never a panic; a plan names
// every voting member once, with its own name and peer URLs in the shared --initial-cluster.
func FuzzBuildRestorePlan(f *testing.F) {
	f.Add("m1,m2,m3", "http://a:2380", false)
	f.Add("m1,,m3", "http://a:2380", false)
	f.Add("a=b,c", "", true)
	f.Add("x,x", "https://[::1]:2380", false)
	f.Fuzz(func(t *testing.T, names, peer string, learnerLast bool) {
		var members []member.Info
		for i, n := range strings.Split(names, ",") {
			m := member.Info{ID: uint64(i + 1), Name: n, Learner: learnerLast && i == len(strings.Split(names, ","))-1}
			if peer != "" {
				m.PeerURLs = []string{peer + "/" + n}
			}
			members = append(members, m)
		}
		p, err := embednode.BuildRestorePlan(embednode.PlanInput{Members: members, Snapshot: "s.db"})
		if err != nil {
			return
		}
		for _, step := range p.Members {
			i := slices.Index(step.Restore, "--name")
			if i < 0 || step.Restore[i+1] != step.Name || !strings.Contains(p.InitialCluster, step.Name+"="+peer+"/"+step.Name) {
				t.Fatalf("member %s: %q with --initial-cluster %q", step.Name, step.Restore, p.InitialCluster)
			}
		}
		_ = p.Text()
		_ = p.Script()
	})
}

// hostileNames are member names and URLs that try to run something when the plan is read by a
// shell or a person: command substitution, backticks, quotes, a newline that would end a comment
// line, separators, ESC sequences, bidi overrides, bytes that are not UTF-8.
var hostileNames = []string{
	"$(touch CANARY)", "`touch CANARY`", "x'; touch CANARY; '", "a\ntouch CANARY", "a\rtouch CANARY",
	"m;touch CANARY", "#\ntouch CANARY #", "\"$(touch CANARY)\"", "ev\x1b[31mil", "\u202eevil", "\xff\xfe\x80",
	"\\'$(touch CANARY)", "a\u2028touch CANARY", "${IFS}touch${IFS}CANARY",
}

// FuzzRestorePlanScript: whatever the member names and URLs hold, the script parses (bash -n),
// and running it — for a member and for an unknown name — never executes any part of a name: the
// canary file a name tries to create never appears, and etcdutl receives each name exactly.
func FuzzRestorePlanScript(f *testing.F) {
	if _, err := exec.LookPath("bash"); err != nil {
		f.Skip("bash is not installed")
	}
	for _, n := range hostileNames {
		f.Add(n, "http://10.0.0.1:2380")
		f.Add("m1", "http://"+n+":2380")
	}
	f.Fuzz(func(t *testing.T, name, peer string) {
		p, err := embednode.BuildRestorePlan(embednode.PlanInput{
			Members: []member.Info{
				{ID: 1, Name: name, PeerURLs: []string{peer}, ClientURLs: []string{peer + "/c"}},
				{ID: 2, Name: "other", PeerURLs: []string{"http://10.0.0.2:2380"}, ClientURLs: []string{"http://10.0.0.2:2379"}},
			},
			Snapshot: "/backups/" + name + ".db", DataDir: "/var/lib/etcd"})
		if err != nil {
			return
		}
		checkOneLinePerName(t, p.Text(), name)
		dir := t.TempDir()
		script := filepath.Join(dir, "restore.sh")
		if err := os.WriteFile(script, []byte(p.Script()), 0o755); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("bash", "-n", script).CombinedOutput(); err != nil {
			t.Fatalf("bash -n: %v\n%s\n%s", err, out, p.Script())
		}
		bin := filepath.Join(dir, "bin")
		os.Mkdir(bin, 0o755)
		stub := func(n, body string) {
			os.WriteFile(filepath.Join(bin, n), []byte("#!/bin/bash\n"+body+"\n"), 0o755)
		}
		stub("pgrep", "exit 1")
		stub("etcdutl", `printf '%s\0' "$@" > "$ETCDUTL_ARGS"`)
		args := filepath.Join(dir, "etcdutl.args")
		for _, member := range []string{name, "nobody-of-that-name"} {
			cmd := exec.Command("bash", script, member)
			cmd.Dir = dir
			cmd.Env = []string{"PATH=" + bin + ":/usr/bin:/bin", "DATA_DIR=" + filepath.Join(dir, "data"), "ETCDUTL_ARGS=" + args, "HOME=" + dir}
			out, _ := cmd.CombinedOutput()
			if _, err := os.Stat(filepath.Join(dir, "CANARY")); err == nil {
				t.Fatalf("running the script for %q executed part of a name:\n%s\n%s", member, out, p.Script())
			}
		}
		got, err := os.ReadFile(args)
		if err != nil {
			t.Fatalf("etcdutl was not run for member %q: %v\n%s", name, err, p.Script())
		}
		fields := strings.Split(string(got), "\x00")
		if i := slices.Index(fields, "--name"); i < 0 || fields[i+1] != name {
			t.Fatalf("etcdutl got --name %q, want %q", fields, name)
		}
	})
}

// checkOneLinePerName: the plan on screen shows name quoted on one line, with no control or
// bidi character left raw.
func checkOneLinePerName(t *testing.T, text, name string) {
	t.Helper()
	for _, line := range strings.Split(text, "\n") {
		for _, r := range line {
			if r < 0x20 && r != '\t' || r == 0x7f || r >= 0x80 && r < 0xa0 || unicode.Is(unicode.Cf, r) || r == 0x2028 || r == 0x2029 {
				t.Fatalf("plan line %q holds raw %U (member name %q)", line, r, name)
			}
		}
		if strings.HasPrefix(strings.TrimSpace(line), "touch CANARY") {
			t.Fatalf("a member name %q broke a line of the plan: %q", name, line)
		}
	}
}

func TestRestorePlanHostileNames(t *testing.T) {
	for _, n := range hostileNames {
		p, err := embednode.BuildRestorePlan(embednode.PlanInput{
			Members:  []member.Info{{ID: 1, Name: n, PeerURLs: []string{"http://10.0.0.1:2380"}}},
			Snapshot: "/b/s.db"})
		if err != nil {
			t.Fatalf("%q: %v", n, err)
		}
		checkOneLinePerName(t, p.Text(), n)
		for _, line := range strings.Split(p.Script(), "\n") {
			if strings.Contains(line, "touch CANARY") && !strings.ContainsAny(line, `'`) {
				t.Fatalf("script line holds a name unquoted: %q", line)
			}
		}
	}
}
