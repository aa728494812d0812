package embednode_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

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
		var members []embednode.PlanMember
		for i, n := range strings.Split(names, ",") {
			m := embednode.PlanMember{ID: uint64(i + 1), Name: n, IsLearner: learnerLast && i == len(strings.Split(names, ","))-1}
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
