package tui

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/config"
	"github.com/etcdeck/etcdeck/embednode"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
	"github.com/etcdeck/etcdeck/embednode/nodetest/k8s"
	"github.com/etcdeck/etcdeck/views/common"
	"github.com/etcdeck/etcdeck/views/common/viewtest"
	findview "github.com/etcdeck/etcdeck/views/find"
)

// BenchmarkFindKeyPress measures the two figures of issue 21's Find that are the console's, not
// the scan's: how fast a key press is answered while `:find TEXT --values` scans /registry/, and
// the console's memory meanwhile. The whole console (the root model and every view) runs in a
// Bubble Tea program as the binary runs it (its memory limit from the budgets), drawing into
// io.Discard; the member is another process (an `etcdeck member` child), so the heap and RSS
// measured are the console's alone. While the scan runs a key (j, then k: the Find view moves
// its cursor) is sent every 20 ms; its response is the time from the send to the end of the
// View that drew it (the renderer then flushes at its next frame, ≤ 1/renderFPS s). Reported: the
// keys' p50/p95/max, the peak heap (runtime/metrics, every 2 ms) and peak RSS (VmHWM, reset
// before the run) against the match cap, for a text every value holds (the cap is reached) and
// one none holds.
//
// The member holds $ETCDECK_BENCH_FIND_KEYS keys of k8s.DefaultShape's keyspace (default 20,000;
// scripts/find-keypress.sh runs the 400,000), kept under $ETCDECK_BENCH_DIR (default
// /tmp/etcdeck-findkeys-bench) and loaded once. Nothing here is asserted on time: the figures are
// for the README.
func BenchmarkFindKeyPress(b *testing.B) {
	n := 20000
	if v, err := strconv.Atoi(os.Getenv("ETCDECK_BENCH_FIND_KEYS")); err == nil && v > 0 {
		n = v
	}
	ep := findBenchMember(b, n)
	settings := config.Defaults()
	settings.Conn.Endpoints = []string{ep}
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(settings.MemoryLimit()))
	sess := viewtest.SessionOf(b, cluster.ConnConfig{Endpoints: []string{ep}, InsecureTransport: true}, "bench", nil)
	for _, sc := range []struct{ name, text string }{
		{"all-match", "mnopqrst"}, // in every value (k8s.Load's a…z): the cap is reached
		{"no-match", "image: nginx"},
	} {
		b.Run(sc.name, func(b *testing.B) {
			var all, work, views []time.Duration
			var load, gcCPU float64
			var gcCycles uint64
			var heap, rss, scanned, before int64
			var kept int
			var took time.Duration
			for range b.N {
				r := runFindWithKeys(b, settings, sess, sc.text)
				all, work = append(all, r.keys...), append(work, r.work...)
				load = max(load, r.load)
				views = append(views, r.views...)
				gcCycles, gcCPU = r.gcCycles, r.gcCPU
				heap, rss, before = max(heap, r.peakHeap), max(rss, r.peakRSS), r.heapBefore
				scanned, kept, took = r.scanned, r.kept, r.took
			}
			slices.Sort(all)
			slices.Sort(work)
			slices.Sort(views)
			if len(all) == 0 {
				b.Fatal("the scan ended before a key was sent: give it more keys")
			}
			q := func(p float64) float64 {
				return float64(all[min(len(all)-1, int(p*float64(len(all))))].Microseconds()) / 1000
			}
			// The console's own work per key (its Update and View); the rest of the response is
			// waiting: for the event loop (other messages) and for a CPU.
			b.ReportMetric(float64(work[len(work)*95/100].Microseconds())/1000, "work-p95-ms")
			b.ReportMetric(load, "loadavg")
			b.ReportMetric(float64(views[len(views)*95/100].Microseconds())/1000, "view-p95-ms")
			b.ReportMetric(float64(gcCycles), "gc-cycles")
			b.ReportMetric(gcCPU, "gc-cpu-s")
			b.ReportMetric(float64(scanned), "keys")
			b.ReportMetric(took.Seconds(), "scan-s")
			b.ReportMetric(float64(len(all)), "presses")
			b.ReportMetric(q(0.5), "key-p50-ms")
			b.ReportMetric(q(0.95), "key-p95-ms")
			b.ReportMetric(float64(all[len(all)-1].Microseconds())/1000, "key-max-ms")
			b.ReportMetric(float64(kept), "matches-kept")
			b.ReportMetric(float64(cluster.DefaultFindMatches), "match-cap")
			b.ReportMetric(float64(heap)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(before)/(1<<20), "heap-before-MiB")
			b.ReportMetric(float64(rss)/(1<<20), "peak-rss-MiB")
		})
	}
}

// findRun is one scan's figures.
type findRun struct {
	keys, work, views []time.Duration
	gcCycles          uint64
	gcCPU             float64 // seconds of CPU the collector took during the scan
	load              float64 // the machine's 1-minute load average at the end
	peakHeap, peakRSS int64
	heapBefore        int64 // the settled console's heap when the search started
	scanned           int64
	kept              int
	took              time.Duration
}

// runFindWithKeys runs the console on sess, starts the search, presses keys until it ends.
func runFindWithKeys(b *testing.B, settings *config.Settings, sess *cluster.Session, text string) findRun {
	b.Helper()
	m, err := New(settings, sess, nil)
	if err != nil {
		b.Fatal(err)
	}
	p := &keyProbe{Model: m, sent: make(chan time.Time, 1024), done: make(chan struct{}), ready: make(chan struct{})}
	prog := tea.NewProgram(p, tea.WithInput(nil), tea.WithOutput(io.Discard), tea.WithWindowSize(120, 40),
		tea.WithFPS(renderFPS), tea.WithoutSignalHandler())
	ended := make(chan struct{})
	go func() { prog.Run(); close(ended) }()
	// The search starts on a settled console, as a user's would: the Keys view has listed.
	select {
	case <-p.ready:
	case <-time.After(2 * time.Minute):
		b.Fatal("the Keys view did not list /registry/")
	}

	runtime.GC()
	debug.FreeOSMemory()
	resetPeakRSS()
	before := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(before)
	stopSampler := sampleHeap()
	gc := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}, {Name: "/cpu/classes/gc/total:cpu-seconds"}}
	metrics.Read(gc)
	cycles0, gcCPU0 := gc[0].Value.Uint64(), gc[1].Value.Float64()
	start := time.Now()
	prog.Send(findview.StartMsg{Text: text, Prefix: "/registry/", InDir: true, Values: true})
	keys := []string{"j", "k"}
	tick := time.NewTicker(20 * time.Millisecond)
	for i := 0; ; i++ {
		select {
		case <-p.done:
		case <-tick.C:
			p.sent <- time.Now()
			prog.Send(viewtest.Key(keys[i%2]))
			continue
		}
		break
	}
	tick.Stop()
	took := time.Since(start)
	heap := stopSampler()
	metrics.Read(gc)
	r := findRun{peakHeap: heap, peakRSS: peakRSS(), took: took, load: loadAverage(), heapBefore: int64(before[0].Value.Uint64()),
		gcCycles: gc[0].Value.Uint64() - cycles0, gcCPU: gc[1].Value.Float64() - gcCPU0}
	prog.Quit()
	<-ended
	p.mu.Lock()
	defer p.mu.Unlock()
	r.keys, r.work, r.views = p.drawn, p.work, p.viewTimes
	r.scanned, r.kept = p.scanned, p.kept
	return r
}

// keyProbe is the console with a stopwatch: the send time of each key press comes through sent
// in order, and the View after the Update that handled it stops the watch.
type keyProbe struct {
	*Model
	sent chan time.Time
	done chan struct{}
	once sync.Once
	// ready closes once the Keys view shows registry/ (the console's first listing).
	ready  chan struct{}
	listed bool

	mu        sync.Mutex
	pending   []press // keys handled, not drawn yet
	drawn     []time.Duration
	work      []time.Duration
	viewTimes []time.Duration // every View's own time
	scanned   int64
	kept      int
}

func (p *keyProbe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok && (k.Text == "j" || k.Text == "k") {
		p.mu.Lock()
		p.pending = append(p.pending, press{sent: <-p.sent, handled: time.Now()})
		p.mu.Unlock()
	}
	_, cmd := p.Model.Update(msg)
	if d, ok := msg.(common.TaskDoneMsg); ok && strings.HasPrefix(d.ID, "find.") {
		p.once.Do(func() {
			if fv, ok := p.views[viewFind].(*findview.Model); ok {
				p.mu.Lock()
				p.scanned, p.kept = fv.Progress()
				p.mu.Unlock()
			}
			close(p.done)
		})
	}
	return p, cmd
}

func (p *keyProbe) View() tea.View {
	began := time.Now()
	v := p.Model.View()
	p.viewTimes = append(p.viewTimes, time.Since(began))
	if !p.listed && strings.Contains(p.render(), "registry/") {
		p.listed = true
		close(p.ready)
	}
	p.mu.Lock()
	for _, k := range p.pending {
		p.drawn, p.work = append(p.drawn, time.Since(k.sent)), append(p.work, time.Since(k.handled))
	}
	p.pending = p.pending[:0]
	p.mu.Unlock()
	return v
}

// press is a key press: when it was sent, and when the console's Update began handling it.
type press struct{ sent, handled time.Time }

// sampleHeap samples the heap's live and unswept objects every 2 ms until stopped; stop
// returns the peak.
func sampleHeap() (stop func() int64) {
	var max int64
	quit, finished := make(chan struct{}), make(chan struct{})
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	go func() {
		defer close(finished)
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			if v := int64(s[0].Value.Uint64()); v > max {
				max = v
			}
			select {
			case <-quit:
				return
			case <-t.C:
			}
		}
	}()
	return func() int64 { close(quit); <-finished; return max }
}

// loadAverage is the machine's 1-minute load average (the figures mean little on a busy one).
func loadAverage() float64 {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f, _ := strconv.ParseFloat(strings.Fields(string(data))[0], 64)
	return f
}

// resetPeakRSS resets VmHWM (Linux: 5 to clear_refs), so the peak is the run's.
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS is VmHWM in bytes, 0 where /proc has none.
func peakRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// findBenchMember starts an `etcdeck member` child on the benchmark's data dir, loading n keys
// of k8s.DefaultShape the first time, and returns its client endpoint.
func findBenchMember(b *testing.B, n int) string {
	b.Helper()
	base := os.Getenv("ETCDECK_BENCH_DIR")
	if base == "" {
		base = "/tmp/etcdeck-findkeys-bench"
	}
	shape := k8s.DefaultShape()
	shape.Keys, shape.BigDir = n, n/4
	tag := fmt.Sprintf("k8s-%d-%d", shape.Keys, shape.ValueSize)
	if err := os.MkdirAll(base, 0o700); err != nil {
		b.Fatal(err)
	}
	exe, err := nodetest.BuildEtcdeck(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	cfg := nodetest.Config(b, "bench")
	cfg.Logger, cfg.DataDir, cfg.LogFile = nil, filepath.Join(base, tag+".etcd"), filepath.Join(base, tag+".log")
	child, err := embednode.Spawn(context.Background(), exe, cfg, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { child.Stop(20 * time.Second) })
	ep := child.Endpoints()[0]
	marker := filepath.Join(base, tag+".loaded")
	if _, err := os.Stat(marker); err != nil {
		began := time.Now()
		if err := k8s.Load(context.Background(), nodetest.Client(b, []string{ep}), shape, func(d int) {
			fmt.Fprintf(os.Stderr, "loaded %d keys\n", d)
		}); err != nil {
			b.Fatalf("load: %v", err)
		}
		os.WriteFile(marker, []byte(time.Since(began).String()+"\n"), 0o600)
	}
	return ep
}
