package cluster_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/clustertest"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

func TestConnectTLS(t *testing.T) {
	certs := nodetest.NewCerts(t)
	cfg := nodetest.Config(t, "tls")
	cfg.ListenClientURLs[0] = strings.Replace(cfg.ListenClientURLs[0], "http://", "https://", 1)
	cfg.CertFile, cfg.KeyFile, cfg.TrustedCAFile, cfg.ClientCertAuth = certs.ServerCert, certs.ServerKey, certs.CA, true
	m := nodetest.StartConfig(t, cfg)
	ep := m.ClientURLs[0]

	t.Run("client certificate", func(t *testing.T) {
		c, err := clustertest.Connect(t, cluster.ConnConfig{Endpoints: []string{ep}, CACert: certs.CA, Cert: certs.ClientCert, Key: certs.ClientKey, InsecureTransport: true})
		if err != nil {
			t.Fatalf("connect: %v", err)
		}
		if _, err := c.Overview(context.Background()); err != nil {
			t.Fatalf("overview: %v", err)
		}
	})
	t.Run("etcdctl style endpoint without scheme", func(t *testing.T) {
		hostport := strings.TrimPrefix(ep, "https://")
		if _, err := clustertest.Connect(t, cluster.ConnConfig{Endpoints: []string{hostport}, CACert: certs.CA, Cert: certs.ClientCert, Key: certs.ClientKey, InsecureTransport: true}); err != nil {
			t.Fatalf("connect: %v", err)
		}
	})
	t.Run("wrong CA", func(t *testing.T) {
		other := nodetest.NewCerts(t)
		_, err := clustertest.Connect(t, cluster.ConnConfig{Endpoints: []string{ep}, CACert: other.CA, Cert: certs.ClientCert, Key: certs.ClientKey, InsecureTransport: true})
		want := "certificate signed by unknown authority at " + strings.TrimPrefix(ep, "https://") + ": check --cacert"
		if err == nil || err.Error() != want {
			t.Fatalf("err = %v, want %q", err, want)
		}
	})
	t.Run("no client certificate", func(t *testing.T) {
		_, err := clustertest.Connect(t, cluster.ConnConfig{Endpoints: []string{ep}, CACert: certs.CA, InsecureTransport: true})
		if err == nil || !strings.Contains(err.Error(), "check --cert and --key") {
			t.Fatalf("err = %v, want a hint about --cert and --key", err)
		}
	})
	t.Run("plaintext to a TLS server", func(t *testing.T) {
		_, err := clustertest.Connect(t, cluster.ConnConfig{Endpoints: []string{strings.TrimPrefix(ep, "https://")}, InsecureTransport: true})
		if err == nil || !strings.Contains(err.Error(), "speaks TLS: use an https:// endpoint") {
			t.Fatalf("err = %v, want a hint to use https", err)
		}
	})
	t.Run("TLS to a plaintext server", func(t *testing.T) {
		plain := nodetest.Start(t).Endpoints()[0]
		_, err := clustertest.Connect(t, cluster.ConnConfig{Endpoints: []string{"https://" + strings.TrimPrefix(plain, "http://")}, CACert: certs.CA})
		want := strings.TrimPrefix(plain, "http://") + " does not speak TLS: use an http:// endpoint and drop the TLS flags"
		if err == nil || err.Error() != want {
			t.Fatalf("err = %v, want %q", err, want)
		}
	})
	t.Run("cert without key", func(t *testing.T) {
		_, err := clustertest.Connect(t, cluster.ConnConfig{Endpoints: []string{ep}, CACert: certs.CA, Cert: certs.ClientCert, InsecureTransport: true})
		if err == nil || err.Error() != "--cert and --key go together: give both or neither" {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestConnectAuth(t *testing.T) {
	m := nodetest.Start(t)
	ctx := context.Background()
	e := nodetest.Client(t, m.Endpoints())
	for _, step := range []func() error{
		func() error { _, err := e.UserAdd(ctx, "root", "s3cret-pw"); return err },
		func() error { _, err := e.UserGrantRole(ctx, "root", "root"); return err },
		func() error { _, err := e.AuthEnable(ctx); return err },
	} {
		if err := step(); err != nil {
			t.Fatalf("enable auth: %v", err)
		}
	}

	if _, err := clustertest.Connect(t, cluster.ConnConfig{Endpoints: m.Endpoints(), User: "root", Password: "s3cret-pw", InsecureTransport: true}); err != nil {
		t.Fatalf("right password: %v", err)
	}
	_, err := clustertest.Connect(t, cluster.ConnConfig{Endpoints: m.Endpoints(), User: "root", Password: "wrong-pw", InsecureTransport: true})
	want := "authentication failed for user root: wrong user name or password"
	if err == nil || err.Error() != want {
		t.Fatalf("wrong password: err = %v, want %q", err, want)
	}
	if strings.Contains(err.Error(), "wrong-pw") {
		t.Fatal("the password appears in the error")
	}
}

func TestConnectDeadEndpoint(t *testing.T) {
	port := nodetest.FreePort(t)
	_, err := clustertest.Connect(t, cluster.ConnConfig{Endpoints: []string{fmt.Sprintf("127.0.0.1:%d", port)}, InsecureTransport: true, DialTimeout: 500 * time.Millisecond, CommandTimeout: 500 * time.Millisecond})
	want := fmt.Sprintf("connection refused at 127.0.0.1:%d", port)
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %q", err, want)
	}
}

func TestOverviewNamesLeaderOfThree(t *testing.T) {
	t.Parallel()
	ms := nodetest.StartCluster(t, 3)
	c, err := clustertest.Connect(t, cluster.ConnConfig{Endpoints: nodetest.Endpoints(ms...), InsecureTransport: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nodetest.Client(t, c.Endpoints()).Put(context.Background(), "k", "v"); err != nil {
		t.Fatal(err)
	}
	// The member Overview asks may be a follower that has not applied the put yet: wait for it,
	// as a user would see it on the next poll.
	var o cluster.Overview
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if o, err = c.Overview(context.Background()); err != nil {
			t.Fatal(err)
		}
		if o.Revision >= 2 || time.Now().After(deadline) {
			break
		}
	}
	if !strings.HasPrefix(o.LeaderName, "m") || o.Revision < 2 {
		t.Fatalf("overview = %+v, want a leader named m0..m2 and revision >= 2", o)
	}
}

func TestConnectEtcd34(t *testing.T) {
	ep := nodetest.StartEtcd34(t)
	c, err := clustertest.Connect(t, cluster.ConnConfig{Endpoints: []string{ep}, InsecureTransport: true})
	if err != nil {
		t.Fatalf("connect to etcd 3.4: %v", err)
	}
	o, err := c.Overview(context.Background())
	if err != nil || o.LeaderName != "old" {
		t.Fatalf("overview from 3.4: %+v %v", o, err)
	}
}

func TestInsecureWarning(t *testing.T) {
	tests := []struct {
		conf cluster.ConnConfig
		want string
	}{
		{cluster.ConnConfig{Endpoints: []string{"127.0.0.1:2379"}, InsecureTransport: true}, ""},
		{cluster.ConnConfig{Endpoints: []string{"http://localhost:2379"}, InsecureTransport: true}, ""},
		{cluster.ConnConfig{Endpoints: []string{"10.0.0.5:2379"}, InsecureTransport: true}, "plaintext to 10.0.0.5:2379"},
		{cluster.ConnConfig{Endpoints: []string{"https://10.0.0.5:2379"}, InsecureTransport: true}, ""},
		{cluster.ConnConfig{Endpoints: []string{"https://10.0.0.5:2379"}, InsecureSkipTLSVerify: true, InsecureTransport: true}, "TLS verification off"},
	}
	for _, tt := range tests {
		if got := tt.conf.Insecure(); got != tt.want {
			t.Errorf("%v: Insecure() = %q, want %q", tt.conf.Endpoints, got, tt.want)
		}
	}
}
