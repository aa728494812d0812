package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/cluster/monitor"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// TestDiagnose runs `etcdeck diagnose` against three members: healthy (exit 0), then with one
// stopped (exit 1, the finding in the table and in the JSON).
func TestDiagnose(t *testing.T) {
	members := nodetest.StartCluster(t, 3)
	eps := "--endpoints=" + strings.Join(nodetest.Endpoints(members...), ",")

	code, out, errText := etcdeck(t, "diagnose", eps, "--duration=1s")
	if code != 0 || errText != "" || !strings.HasPrefix(out, "cluster healthy at ") || strings.Count(out, " healthy  ") != 3 {
		t.Fatalf("healthy cluster: exit %d, stderr %q, report:\n%s", code, errText, out)
	}

	members[1].Close(10 * time.Second)
	code, out, errText = etcdeck(t, "diagnose", eps, "--duration=1s")
	// The stopped member's endpoint is named on stderr (a warning), and in the report.
	if code != 1 || !strings.HasPrefix(errText, "etcdeck diagnose: warning: connection refused at ") || !strings.HasPrefix(out, "cluster NOT healthy at ") ||
		!strings.Contains(out, "error  member m1 unreachable: connection refused at ") {
		t.Fatalf("m1 stopped: exit %d, stderr %q, report:\n%s", code, errText, out)
	}

	code, out, _ = etcdeck(t, "diagnose", eps, "--duration=0", "-w", "json")
	var r monitor.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil || code != 1 {
		t.Fatalf("JSON report: exit %d, %v:\n%s", code, err, out)
	}
	found := false
	for _, f := range r.Findings {
		found = found || f.Severity == "error" && f.Member == "m1" && strings.HasPrefix(f.Text, "member m1 unreachable: connection refused at ")
	}
	if r.Healthy || len(r.Members) != 3 || r.Members[1].State != monitor.StateUnreachable || !found {
		t.Fatalf("JSON report: %+v", r)
	}
}

// TestDiagnoseFirstEndpointDead: a dead endpoint first in --endpoints does not stop diagnose
// (issue 17): it runs on the others, warns on stderr and exits 1.
func TestDiagnoseFirstEndpointDead(t *testing.T) {
	members := nodetest.StartCluster(t, 3)
	dead := fmt.Sprintf("127.0.0.1:%d", nodetest.FreePort(t))
	eps := "--endpoints=" + strings.Join(append([]string{dead}, nodetest.Endpoints(members...)...), ",")
	code, out, errText := etcdeck(t, "diagnose", eps, "--duration=1s")
	if code != 1 || errText != "etcdeck diagnose: warning: connection refused at "+dead+"\n" ||
		!strings.HasPrefix(out, "cluster healthy at ") || strings.Count(out, " healthy  ") != 3 {
		t.Fatalf("first endpoint dead: exit %d, stderr %q, report:\n%s", code, errText, out)
	}
}

func TestDiagnoseUsage(t *testing.T) {
	for _, args := range [][]string{{"diagnose", "-w", "xml"}, {"diagnose", "extra"}, {"diagnose", "--duration=-1s"}, {"diagnose", "--bogus"}} {
		if code, out, errText := etcdeck(t, args...); code != 2 || out != "" || !strings.HasPrefix(errText, "etcdeck diagnose: ") || !strings.Contains(errText, "\nUsage: etcdeck diagnose [flags]") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errText)
		}
	}
}
