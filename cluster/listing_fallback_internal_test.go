package cluster

import (
	"math/rand"
	"testing"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// TestRefineCoversTheRest: whatever the resume point and the window (a band or not, the bytes of
// names or any others), refine's windows are in key order, none empty, each starting where the
// previous one ended, from the resume point to the window's end: nothing is listed twice or
// skipped. Pure: no server.
func TestRefineCoversTheRest(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	alphabet := []byte{'-', '.', 'a', 'm', 'z', '0', '9', 'A', '~', '/', 0x00, 0x7f, 0xfe, 0xff, '_'}
	const p = "/d/"
	end := clientv3.GetPrefixRangeEnd(p)
	newWindow := func(from, to string, band int) *window {
		return &window{start: from, from: from, to: to, band: band}
	}
	for n := 0; n < 20000; n++ {
		name := make([]byte, 1+rng.Intn(12))
		for i := range name {
			name[i] = alphabet[rng.Intn(len(alphabet))]
		}
		resume := p + string(name)
		// The window being refined: the whole directory, a window per byte holding resume, a
		// resume point's own keys, or a band at some level of resume.
		var w *window
		switch k := len(p) + rng.Intn(len(name)); rng.Intn(3) {
		case 0:
			w = &window{start: p + "\x00", from: resume, to: end, band: -1}
		case 1:
			w = &window{start: resume[:k+1], from: resume, to: clientv3.GetPrefixRangeEnd(resume[:k+1]), band: -1}
		default:
			w = &window{start: resume, from: resume, to: clientv3.GetPrefixRangeEnd(resume[:k]), band: k}
		}
		if w.to == "\x00" {
			w.to = end
		}
		out := refine(w, resume, len(p), newWindow)
		if len(out) == 0 {
			t.Fatalf("refine(%q in %q..%q band %d): no window", resume, w.start, w.to, w.band)
		}
		at := resume
		for i, o := range out {
			if o.from != at || !before(o.from, o.to) {
				t.Fatalf("refine(%q in %q..%q band %d): window %d is %q..%q, want it to start at %q and not be empty",
					resume, w.start, w.to, w.band, i, o.from, o.to, at)
			}
			at = o.to
		}
		if at != w.to {
			t.Fatalf("refine(%q in %q..%q band %d): the windows end at %q, not at the window's end",
				resume, w.start, w.to, w.band, at)
		}
	}
}

// TestRefineShortResume: a resume point shorter than the directory's prefix (a page's After from
// elsewhere) makes no window inside the directory and cannot panic.
func TestRefineShortResume(t *testing.T) {
	newWindow := func(from, to string, band int) *window {
		return &window{start: from, from: from, to: to, band: band}
	}
	for _, resume := range []string{"", "/", "/d", "\xff"} {
		out := refine(&window{to: clientv3.GetPrefixRangeEnd("/d/"), band: -1}, resume, len("/d/"), newWindow)
		for _, o := range out {
			if o.from < resume {
				t.Errorf("refine(%q): window %q..%q starts before the resume point", resume, o.from, o.to)
			}
		}
	}
}
