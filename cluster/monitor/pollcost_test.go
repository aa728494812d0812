package monitor_test

import (
	"context"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/clustertest"
	"github.com/etcdeck/etcdeck/cluster/monitor"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// TestPollCost measures what polling five members every second (and scraping their /metrics
// every 15 s) costs etcdeck: the CPU time of this process, the members being child processes.
// It takes a minute, so it runs only when ETCDECK_POLL_COST is set (scripts/poll-cost.sh);
// the target is 2% of one core.
func TestPollCost(t *testing.T) {
	if os.Getenv("ETCDECK_POLL_COST") == "" {
		t.Skip("set ETCDECK_POLL_COST=1 (or run scripts/poll-cost.sh): it takes a minute")
	}
	seconds := 60
	if s, err := strconv.Atoi(os.Getenv("ETCDECK_POLL_COST_SECONDS")); err == nil && s > 0 {
		seconds = s
	}
	children := nodetest.SpawnCluster(t, etcdeckBinary(t), 5)
	c, err := clustertest.Connect(t, cluster.ConnConfig{Endpoints: children[0].Endpoints(), InsecureTransport: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	m := monitor.NewMonitor(ctx, c)
	defer m.Close()
	tr := monitor.NewTracker(0)
	// Warm up: dial every member, fill the first scrape.
	pollUntil(t, m, tr, 20*time.Second, "five healthy members", func(p monitor.Poll) bool { return allHealthy(p) && len(p.Members) == 5 })
	ms, _ := m.Scrape(ctx, 5*time.Second)
	tr.AddMetrics(ms)

	before, start := cpuTime(t), time.Now()
	polls, scrapes := 0, 0
	nextScrape := start.Add(monitor.DefaultMetricsInterval)
	for time.Since(start) < time.Duration(seconds)*time.Second {
		tick := time.Now()
		p := m.Poll(ctx, 2*time.Second)
		tr.AddPoll(p)
		tr.Findings()
		polls++
		if len(p.Members) != 5 {
			t.Fatalf("poll saw %d members", len(p.Members))
		}
		if time.Now().After(nextScrape) {
			ms, _ := m.Scrape(ctx, 5*time.Second)
			tr.AddMetrics(ms)
			scrapes++
			nextScrape = nextScrape.Add(monitor.DefaultMetricsInterval)
		}
		time.Sleep(time.Second - time.Since(tick))
	}
	wall := time.Since(start)
	used := cpuTime(t) - before
	pct := 100 * used.Seconds() / wall.Seconds()
	t.Logf("poll cost: %d polls of 5 members and %d scrapes in %s used %s CPU: %.2f%% of one core", polls, scrapes, wall.Round(time.Millisecond), used.Round(time.Millisecond), pct)
	if pct > 2 {
		t.Errorf("polling costs %.2f%% of one core, target 2%%", pct)
	}
}

// cpuTime is the user+system CPU time this process has used.
func cpuTime(t *testing.T) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
