package monitor_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/clustertest"
	"github.com/etcdeck/etcdeck/cluster/monitor"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

func TestDiagnoseOneMemberStopped(t *testing.T) {
	members := nodetest.StartCluster(t, 3)
	c, err := clustertest.Connect(t, cluster.ConnConfig{Endpoints: nodetest.Endpoints(members...), InsecureTransport: true})
	if err != nil {
		t.Fatal(err)
	}
	// The interval is also how long a read may take before the member counts as unhealthy: a
	// second, not 250 ms, so that a loaded machine does not make a healthy member fail.
	healthy := monitor.Diagnose(context.Background(), c, monitor.DiagnoseOptions{Duration: 2500 * time.Millisecond, Interval: time.Second})
	if !healthy.Healthy || len(healthy.Members) != 3 || healthy.Leader == "" {
		t.Fatalf("healthy cluster: %+v", healthy)
	}
	// In-process members share one metrics registry, so only errors are checked here.
	for _, f := range healthy.Findings {
		if f.Severity == "error" {
			t.Fatalf("healthy cluster: finding %+v", f)
		}
	}
	for _, m := range healthy.Members {
		if m.Linearizable.Count < 3 || m.Serializable.Count < 3 || m.Status == nil {
			t.Fatalf("member %s: %+v", m.Member.Name, m)
		}
	}
	// Stop a member the session is not connected through first.
	members[2].Close(10 * time.Second)
	r := monitor.Diagnose(context.Background(), c, monitor.DiagnoseOptions{Duration: time.Second, Interval: 250 * time.Millisecond})
	var text strings.Builder
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	out := text.String()
	t.Log("\n" + out)
	if r.Healthy || !strings.HasPrefix(out, "cluster NOT healthy at ") || !strings.Contains(out, "error  member m2 unreachable: connection refused at ") {
		t.Fatalf("report of a cluster with m2 stopped:\n%s", out)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back monitor.Report
	if err := json.Unmarshal(b, &back); err != nil || back.Healthy || len(back.Members) != 3 || back.Members[2].State != monitor.StateUnreachable {
		t.Fatalf("JSON round trip: %v %+v", err, back)
	}
}
