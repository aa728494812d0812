package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// TestDefragCommand runs `etcdeck defrag` against three members: every member with --cluster
// (one endpoint given), the leader last, exit 0; a dry run changes nothing; --read-only
// refuses (exit 1); a stopped member makes the cluster unhealthy (exit 1, nothing done).
func TestDefragCommand(t *testing.T) {
	members := nodetest.StartCluster(t, 3)
	one := "--endpoints=" + members[0].Endpoints()[0]

	code, out, errText := etcdeck(t, "defrag", one, "--cluster", "--compact", "--wait-between=100ms", "-w", "json")
	var rep cluster.DefragReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 0 {
		t.Fatalf("exit %d, %v, stdout %q, stderr %q", code, err, out, errText)
	}
	if len(rep.Members) != 3 || rep.Compacted == 0 {
		t.Fatalf("report %+v", rep)
	}
	for i, m := range rep.Members {
		if m.Error != "" || m.Skipped != "" || m.Leader != (i == 2) {
			t.Errorf("member %d: %+v (the leader goes last)", i, m)
		}
	}
	if !strings.Contains(errText, "etcdeck defrag: checking every member's health\n") {
		t.Errorf("no progress on stderr: %q", errText)
	}

	// Without --cluster: only the member the endpoint answers as. Table output.
	code, out, _ = etcdeck(t, "defrag", one, "--dry-run")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 3 || !strings.HasPrefix(lines[0], "MEMBER") || !strings.Contains(lines[1], "skipped: dry run") ||
		!strings.HasPrefix(lines[2], "rule: no rule: every member") {
		t.Fatalf("dry run: exit %d:\n%s", code, out)
	}

	code, out, errText = etcdeck(t, "defrag", one, "--read-only")
	if code != 1 || out != "" || !strings.Contains(errText, "etcdeck defrag: read-only session") {
		t.Fatalf("read-only: exit %d, stdout %q, stderr %q", code, out, errText)
	}

	members[2].Close(10 * time.Second)
	code, out, errText = etcdeck(t, "defrag", one, "--cluster", "--command-timeout=2s")
	if code != 1 || out != "" || !strings.Contains(errText, "the cluster is not healthy (m2: ") {
		t.Fatalf("m2 stopped: exit %d, stdout %q, stderr %q", code, out, errText)
	}
}

func TestDefragCommandUsage(t *testing.T) {
	for _, args := range [][]string{{"defrag", "-w", "xml"}, {"defrag", "extra"}, {"defrag", "--free-threshold=lots"},
		{"defrag", "--quota-share=2"}, {"defrag", "--wait-between=-1s"}} {
		code, out, errText := etcdeck(t, args...)
		if code != 2 || out != "" || !strings.HasPrefix(errText, "etcdeck defrag: ") || !strings.Contains(errText, "\nUsage: etcdeck defrag [--cluster]") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errText)
		}
	}
}
