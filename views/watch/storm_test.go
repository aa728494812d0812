package watch

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/etcdeck/etcdeck/config"
	"github.com/etcdeck/etcdeck/embednode/nodetest"
	"github.com/etcdeck/etcdeck/keymap"
	"github.com/etcdeck/etcdeck/views/common"
	"github.com/etcdeck/etcdeck/views/common/viewtest"
)

// probeModel runs the Watch view as the program's model and notes when each pause key was
// handled and when the screen showing it was rendered; the test reads the notes, never the view.
type probeModel struct {
	v       *Model
	mu      sync.Mutex
	handled []time.Time
	shown   []time.Time
	pending bool
	total   int64
	live    bool
}

func (p *probeModel) Init() tea.Cmd { return p.v.Init() }

func (p *probeModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if _, ok := msg.(tea.WindowSizeMsg); ok {
		return p, nil // the view keeps the size it was given
	}
	_, cmd := p.v.Update(msg)
	p.mu.Lock()
	defer p.mu.Unlock()
	if k, ok := msg.(tea.KeyPressMsg); ok && k.String() == "space" {
		p.handled = append(p.handled, time.Now())
		p.pending = true
	}
	p.total, p.live = p.v.buf.total, p.v.liveRev > 0
	return p, cmd
}

func (p *probeModel) View() tea.View {
	s := p.v.View()
	p.mu.Lock()
	if p.pending {
		p.shown, p.pending = append(p.shown, time.Now()), false
	}
	p.mu.Unlock()
	return tea.NewView(s)
}

func (p *probeModel) notes() (handled, shown int, total int64, live bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.handled), len(p.shown), p.total, p.live
}

// TestKeyLatencyDuringStorm runs the view in a real Bubble Tea program while scripts/watchload
// writes 10,000 events/s from its own process (ETCDECK_STORM_SECS seconds, 5 by default): every
// event is counted, and every key press is handled and on screen while the storm lasts. How fast
// is BenchmarkKeyLatencyDuringStorm's to measure (target: 95th percentile ≤ 100 ms): a timed
// assertion here would fail on a loaded machine for nothing. Skipped with -short.
func TestKeyLatencyDuringStorm(t *testing.T) {
	if testing.Short() {
		t.Skip("a storm of several seconds")
	}
	secs := 5
	if s, err := strconv.Atoi(os.Getenv("ETCDECK_STORM_SECS")); err == nil && s > 0 {
		secs = s
	}
	lat, summary := storm(t, secs)
	t.Logf("%s; %d key presses: %s", summary, len(lat), latencySummary(lat))
}

// BenchmarkKeyLatencyDuringStorm measures what TestKeyLatencyDuringStorm checks: how long a key
// press takes to be handled and shown during a storm of 10,000 events/s, reported as p95-ms and
// median-ms (target: p95 ≤ 100 ms). Each iteration is a 5 s storm: run it with -benchtime=1x.
func BenchmarkKeyLatencyDuringStorm(b *testing.B) {
	var all []time.Duration
	for range b.N {
		lat, _ := storm(b, 5)
		all = append(all, lat...)
	}
	if len(all) == 0 {
		b.Fatal("no key press during the storm")
	}
	slices.Sort(all)
	b.ReportMetric(float64(all[len(all)*95/100])/float64(time.Millisecond), "p95-ms")
	b.ReportMetric(float64(all[len(all)/2])/float64(time.Millisecond), "median-ms")
}

// latencySummary is the median, 95th percentile and max of lat, which it sorts.
func latencySummary(lat []time.Duration) string {
	if len(lat) == 0 {
		return "none"
	}
	slices.Sort(lat)
	return fmt.Sprintf("median %v, 95th percentile %v, max %v", lat[len(lat)/2].Round(time.Millisecond),
		lat[len(lat)*95/100].Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond))
}

// storm watches /storm/ in a Bubble Tea program while watchload writes 10,000 events/s for secs
// seconds, pressing space (pause, then resume) every 250 ms. It fails tb unless every key press
// is handled and shown and the view counts every event written; it returns how long each key
// press took to be on screen and watchload's own summary.
func storm(t testing.TB, secs int) ([]time.Duration, string) {
	t.Helper()
	load := filepath.Join(t.TempDir(), "watchload")
	build := exec.Command("go", "build", "-o", load, "./scripts/watchload")
	build.Dir = "../.."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build watchload: %v\n%s", err, out)
	}
	mem := nodetest.Start(t)
	s := viewtest.Session(t, mem.Endpoints())
	v := New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap(), Session: s, Settings: config.Defaults()})
	v.SetSize(120, 40)
	p := &probeModel{v: v}
	tm := teatest.NewTestModel(t, p, teatest.WithInitialTermSize(120, 40))
	t.Cleanup(func() { tm.Quit() })
	tm.Send(common.WatchMsg{Prefix: "/storm/"})
	waitNote(t, "the watch to be live", 10*time.Second, func() bool { _, _, _, live := p.notes(); return live })

	writer := exec.Command(load, "-endpoints", mem.Endpoints()[0], "-rate", "10000", "-duration", fmt.Sprintf("%ds", secs))
	out := &strings.Builder{}
	writer.Stdout = out
	if err := writer.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- writer.Wait() }()
	var lat []time.Duration
	for storming := true; storming; {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("watchload: %v\n%s", err, out)
			}
			storming = false
		case <-time.After(250 * time.Millisecond):
			for range 2 { // pause, then resume
				h0, s0, _, _ := p.notes()
				sent := time.Now()
				tm.Send(tea.KeyPressMsg{Code: tea.KeySpace, Text: " "})
				waitNote(t, "the key press", 5*time.Second, func() bool { h, s, _, _ := p.notes(); return h > h0 && s > s0 })
				p.mu.Lock()
				lat = append(lat, p.shown[len(p.shown)-1].Sub(sent))
				p.mu.Unlock()
			}
		}
	}
	var written int64
	if _, err := fmt.Sscanf(out.String(), "wrote %d events", &written); err != nil || written == 0 {
		t.Fatalf("watchload said %q", out)
	}
	waitNote(t, fmt.Sprintf("%d events", written), 30*time.Second, func() bool { _, _, total, _ := p.notes(); return total >= written })
	if _, _, total, _ := p.notes(); total != written {
		t.Errorf("the view counted %d events for %d written", total, written)
	}
	return lat, strings.TrimSpace(out.String())
}

func waitNote(t testing.TB, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
