package cluster

import (
	"testing"
	"time"
)

// TestStallProbe walks the probe through silence, an answered request and an unanswered one,
// on made-up times (no server, no sleeping).
func TestStallProbe(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	p := newStallProbe(WatchOptions{StallAfter: 2 * time.Second}, t0)
	if p.askAfter != time.Second || p.period() != 500*time.Millisecond {
		t.Fatalf("ask after %s, tick %s; want 1s, 500ms", p.askAfter, p.period())
	}
	steps := []struct {
		heard bool // a response arrived just before this tick
		ms    int
		want  probeAction
	}{
		{false, 500, probeNone},     // quiet for less than askAfter
		{false, 1000, probeAsk},     // quiet long enough: ask
		{false, 1500, probeNone},    // waiting for the answer
		{true, 2000, probeNone},     // answered (any response counts)
		{false, 3000, probeAsk},     // quiet again
		{false, 4500, probeNone},    // unanswered, not yet StallAfter
		{false, 5000, probeStalled}, // unanswered for StallAfter: a stall
	}
	for _, s := range steps {
		if s.heard {
			p.heard(at(s.ms))
		}
		if got := p.check(at(s.ms)); got != s.want {
			t.Fatalf("at %dms: %d, want %d", s.ms, got, s.want)
		}
	}
	// Idle progress alone keeps asking, never stalls.
	p = newStallProbe(WatchOptions{IdleProgress: time.Second}, t0)
	for i, want := range []probeAction{probeAsk, probeNone, probeAsk, probeNone, probeAsk} {
		if got := p.check(at(1000 + 500*i)); got != want {
			t.Fatalf("idle progress, tick %d: %d, want %d", i, got, want)
		}
	}
	if newStallProbe(WatchOptions{}, t0) != nil {
		t.Error("a probe without IdleProgress or StallAfter")
	}
}

func TestBareEndpoint(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1:2379":         "127.0.0.1:2379",
		"http://127.0.0.1:2379":  "127.0.0.1:2379",
		"https://10.0.0.1:2379/": "10.0.0.1:2379",
	} {
		if got := bareEndpoint(in); got != want {
			t.Errorf("bareEndpoint(%q) = %q, want %q", in, got, want)
		}
	}
}
