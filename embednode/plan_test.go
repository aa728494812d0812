package embednode_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/snapshot"
	"go.uber.org/zap"

	"github.com/etcdeck/etcdeck/cluster/member"
	"github.com/etcdeck/etcdeck/embednode"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

var guideMembers = []member.Info{
	{ID: 3, Name: "m3", PeerURLs: []string{"http://host3:2380"}, ClientURLs: []string{"http://host3:2379"}},
	{ID: 1, Name: "m1", PeerURLs: []string{"http://host1:2380"}, ClientURLs: []string{"http://host1:2379"}},
	{ID: 2, Name: "m2", PeerURLs: []string{"http://host2:2380"}, ClientURLs: []string{"http://host2:2379"}},
}

// TestPlanMatchesRecoveryGuide builds the plan for the three-member cluster of etcd's
// disaster-recovery guide (op-guide/recovery) and checks each command against the guide's.
func TestPlanMatchesRecoveryGuide(t *testing.T) {
	now := time.Date(2026, 11, 25, 1, 2, 3, 0, time.UTC)
	p, err := embednode.BuildRestorePlan(embednode.PlanInput{ClusterID: 0xabc, Members: guideMembers, Snapshot: "snapshot.db", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	const initial = "m1=http://host1:2380,m2=http://host2:2380,m3=http://host3:2380"
	for i, m := range p.Members {
		name := fmt.Sprintf("m%d", i+1)
		want := []string{"etcdutl", "snapshot", "restore", "snapshot.db",
			"--name", name,
			"--initial-cluster", initial,
			"--initial-cluster-token", "etcd-cluster-restored-20261125T010203Z",
			"--initial-advertise-peer-urls", fmt.Sprintf("http://host%d:2380", i+1),
			"--data-dir", "/var/lib/etcd",
			"--bump-revision", "1000000000", "--mark-compacted"}
		if m.Name != name || m.Host != fmt.Sprintf("host%d", i+1) || !slices.Equal(m.Restore, want) {
			t.Errorf("member %d: %s on %s\n%q\nwant\n%q", i, m.Name, m.Host, m.Restore, want)
		}
	}
	text := p.Text()
	order := []string{"Stop every API server", "Stop etcd on every member: m1 (host1), m2 (host2), m3 (host3)",
		"mv /var/lib/etcd /var/lib/etcd.bak-20261125T010203Z", "restore from the same file", "Start etcd on every member",
		"etcdctl --endpoints http://host1:2379,http://host2:2379,http://host3:2379 endpoint health", "Start the API servers",
		"m1 (on host1):\n  etcdutl snapshot restore snapshot.db \\\n    --name m1 \\\n", "Note: --bump-revision with --mark-compacted"}
	at := 0
	for _, s := range order {
		i := strings.Index(text[at:], s)
		if i < 0 {
			t.Fatalf("plan text lacks %q after offset %d:\n%s", s, at, text)
		}
		at += i
	}
}

func TestPlanRefusesAndSkips(t *testing.T) {
	for _, tc := range []struct {
		name    string
		members []member.Info
		want    string
	}{
		{"unstarted", []member.Info{{ID: 0x1f, PeerURLs: []string{"http://a:2380"}}}, "member 1f has not started"},
		{"no peers", []member.Info{{Name: "a"}}, "member a has no peer URLs"},
		{"duplicate", []member.Info{{Name: "a", PeerURLs: []string{"http://a:1"}}, {Name: "a", PeerURLs: []string{"http://b:1"}}}, "two members are named a"},
		{"only learners", []member.Info{{Name: "a", PeerURLs: []string{"http://a:1"}, Learner: true}}, "no voting member"},
		{"empty", nil, "no voting member"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := embednode.BuildRestorePlan(embednode.PlanInput{Members: tc.members, Snapshot: "s.db"})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
	p, err := embednode.BuildRestorePlan(embednode.PlanInput{Snapshot: "s.db", Members: append(slices.Clone(guideMembers),
		member.Info{Name: "l1", PeerURLs: []string{"http://host4:2380"}, Learner: true})})
	if err != nil || len(p.Members) != 3 || !slices.Equal(p.Learners, []string{"l1"}) || strings.Contains(p.InitialCluster, "l1") {
		t.Fatalf("learner: %+v %v, want it left out and named", p, err)
	}
	if !strings.Contains(p.Text(), "Not restored (learners; add them again afterwards): l1") {
		t.Fatal("the text does not name the learner")
	}
}

// TestPlanDataDir: the data dir the user gives goes into every command and the move aside,
// cleaned; a relative dir or / is refused with the reason.
func TestPlanDataDir(t *testing.T) {
	for _, tc := range []struct{ dir, want, err string }{
		{"", embednode.DefaultPlanDataDir, ""},
		{"/data/etcd/", "/data/etcd", ""},
		{"/srv//etcd", "/srv/etcd", ""},
		{"etcd-data", "", "not an absolute path"},
		{"/", "", "root directory"},
	} {
		p, err := embednode.BuildRestorePlan(embednode.PlanInput{Snapshot: "/b/s.db", Members: guideMembers, DataDir: tc.dir,
			Now: time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)})
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: err %v, want %q", tc.dir, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%q: %v", tc.dir, err)
		}
		if p.DataDir != tc.want || p.Backup != tc.want+".bak-20261125T020000Z" {
			t.Errorf("%q: data dir %q, backup %q", tc.dir, p.DataDir, p.Backup)
		}
		for _, m := range p.Members {
			if i := slices.Index(m.Restore, "--data-dir"); i < 0 || m.Restore[i+1] != tc.want {
				t.Errorf("%q: %s restores with %q", tc.dir, m.Name, m.Restore)
			}
		}
	}
}

// TestPlanScriptRestoresThreeMembers runs the written script on each member of a live
// three-member cluster, with etcdeck standing in for etcdutl (same flags), and starts the
// restored cluster: every member serves the snapshot's keys at the bumped revision.
func TestPlanScriptRestoresThreeMembers(t *testing.T) {
	t.Parallel()
	members := nodetest.StartCluster(t, 3)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cli := client(t, nodetest.Endpoints(members...))
	put, err := cli.Put(ctx, "/registry/pods/default/web", "v1")
	if err != nil {
		t.Fatal(err)
	}
	list, err := cli.MemberList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "snap.db")
	if _, err := snapshot.SaveWithVersion(ctx, zap.NewNop(), clientv3.Config{Endpoints: members[0].ClientURLs}, file); err != nil {
		t.Fatal(err)
	}
	rev := put.Header.Revision
	in := embednode.PlanInput{ClusterID: list.Header.ClusterId, Snapshot: file, Bump: 1000}
	for _, m := range list.Members {
		in.Members = append(in.Members, member.Info{ID: m.ID, Name: m.Name, PeerURLs: m.PeerURLs, ClientURLs: m.ClientURLs})
	}
	root := t.TempDir()
	in.DataDir = filepath.Join(root, "etcd")
	p, err := embednode.BuildRestorePlan(in)
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(root, "restore.sh")
	if err := os.WriteFile(script, []byte(p.Script()), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, m := range members {
		m.Close(10 * time.Second)
	}
	// Fakes on PATH: etcdutl is etcdeck (same restore flags); pgrep says no etcd runs, since
	// other tests on this machine may run one.
	bin := filepath.Join(root, "bin")
	os.MkdirAll(bin, 0o700)
	os.WriteFile(filepath.Join(bin, "etcdutl"), []byte("#!/bin/sh\nexec "+etcdeckBin+" \"$@\"\n"), 0o700)
	os.WriteFile(filepath.Join(bin, "pgrep"), []byte("#!/bin/sh\nexit 1\n"), 0o700)
	var cfgs []embednode.Config
	for _, step := range p.Members {
		// Each member's host is simulated by its own directory holding its old data dir.
		host := filepath.Join(root, step.Name)
		os.MkdirAll(filepath.Join(host, "etcd"), 0o700)
		os.WriteFile(filepath.Join(host, "etcd", "old"), []byte("old"), 0o600)
		cmd := exec.Command("bash", script, step.Name)
		cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "DATA_DIR="+filepath.Join(host, "etcd"))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("restore.sh %s: %v\n%s", step.Name, err, out)
		}
		if _, err := os.Stat(filepath.Join(host, "etcd.bak-"+strings.TrimPrefix(p.Backup, in.DataDir+".bak-"), "old")); err != nil {
			t.Fatalf("%s: old data dir not moved aside: %v", step.Name, err)
		}
		cfg := nodetest.Config(t, step.Name)
		cfg.DataDir = filepath.Join(host, "etcd")
		cfg.ListenPeerURLs = in.Members[slices.IndexFunc(in.Members, func(m member.Info) bool { return m.Name == step.Name })].PeerURLs
		cfgs = append(cfgs, cfg)
	}
	started := make(chan error, len(cfgs))
	for _, cfg := range cfgs {
		go func(cfg embednode.Config) {
			m, err := embednode.Start(ctx, cfg)
			if err == nil {
				t.Cleanup(func() { m.Close(10 * time.Second) })
			}
			started <- err
		}(cfg)
	}
	for range cfgs {
		if err := <-started; err != nil {
			t.Fatalf("start a restored member: %v", err)
		}
	}
	for _, cfg := range cfgs {
		resp, err := client(t, cfg.ListenClientURLs).Get(ctx, "/registry/pods/default/web")
		if err != nil || len(resp.Kvs) != 1 || resp.Header.Revision != rev+1000 {
			t.Fatalf("%s: %v %v, want the key at revision %d", cfg.Name, resp, err, rev+1000)
		}
	}
	ml, err := client(t, cfgs[0].ListenClientURLs).MemberList(ctx)
	if err != nil || len(ml.Members) != 3 || ml.Header.ClusterId == list.Header.ClusterId {
		t.Fatalf("restored member list: %v %v, want three members of a new cluster", ml, err)
	}
}

func TestPlanScriptRefusesUnknownMember(t *testing.T) {
	p, err := embednode.BuildRestorePlan(embednode.PlanInput{Members: guideMembers, Snapshot: "it's.db"})
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(t.TempDir(), "restore.sh")
	os.WriteFile(script, []byte(p.Script()), 0o700)
	out, err := exec.Command("bash", script, "m9").CombinedOutput()
	if code := exitCode(err); code != 2 || !strings.Contains(string(out), "usage: "+script+" MEMBER (one of: m1 m2 m3)") {
		t.Fatalf("exit %d: %s", code, out)
	}
	if !strings.Contains(p.Script(), `SNAPSHOT=${SNAPSHOT:-'it'\''s.db'}`) {
		t.Fatal("the snapshot path is not quoted for the shell")
	}
}

func exitCode(err error) int {
	if e, ok := err.(*exec.ExitError); ok {
		return e.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}
