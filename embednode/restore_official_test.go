package embednode_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/embednode"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// TestOfficialEtcdServesRestoredDir: a dir etcdeck restored (etcd 3.7 libraries) is served by
// the official etcd server binary installed here (Debian's 3.4), keys and revision intact.
func TestOfficialEtcdServesRestoredDir(t *testing.T) {
	if nodetest.Etcd34Binary() == "" {
		t.Skip("Debian's etcd-server is not installed (apt-get install -y etcd-server); .ci/run installs it")
	}
	s := saveSnapshot(t, 30)
	cfg := nodetest.Config(t, "official")
	if _, err := restoreInChild(t, restoreOpts(s.path, cfg)); err != nil {
		t.Fatal(err)
	}
	ep := nodetest.RunEtcd34(t, cfg.Name, cfg.DataDir, cfg.ListenPeerURLs[0])
	deadline := time.Now().Add(20 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, err := client(t, []string{ep}).Get(ctx, "/")
		cancel()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("etcd 3.4 on the restored dir does not answer: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	checkKeys(t, []string{ep}, s, s.rev)
}

// TestRestoreEtcdctlSnapshot: a snapshot the official etcdctl wrote (Debian's 3.4) restores with
// etcdeck.
func TestRestoreEtcdctlSnapshot(t *testing.T) {
	etcdctl, err := exec.LookPath("etcdctl")
	if err != nil {
		t.Skip("etcdctl not installed (apt-get install -y etcd-client); .ci/run installs it")
	}
	cfg := nodetest.Config(t, "source")
	m := nodetest.StartConfig(t, cfg)
	if _, err := client(t, m.ClientURLs).Put(context.Background(), "/from", "etcdctl"); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "etcdctl.db")
	cmd := exec.Command(etcdctl, "--endpoints", m.Endpoints()[0], "snapshot", "save", file)
	cmd.Env = append(os.Environ(), "ETCDCTL_API=3")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("etcdctl snapshot save: %v\n%s", err, out)
	}
	target := nodetest.Config(t, "from-etcdctl")
	res, err := restoreInChild(t, embednode.RestoreOptions{Snapshot: file, DataDir: target.DataDir,
		Name: target.Name, PeerURLs: target.ListenPeerURLs})
	if err != nil || !res.HashChecked {
		t.Fatalf("restore: %+v %v", res, err)
	}
	r := nodetest.StartConfig(t, target)
	resp, err := client(t, r.ClientURLs).Get(context.Background(), "/from")
	if err != nil || len(resp.Kvs) != 1 || !strings.EqualFold(string(resp.Kvs[0].Value), "etcdctl") {
		t.Fatalf("restored: %v %v", resp, err)
	}
}
