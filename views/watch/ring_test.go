package watch

import (
	"fmt"
	"strings"
	"testing"
)

// TestRing: the ring keeps the newest rows oldest first and says when it drops one.
func TestRing(t *testing.T) {
	for _, tc := range []struct {
		limit, push int
		want        string
		dropped     int
	}{
		{limit: 3, push: 0, want: ""},
		{limit: 3, push: 2, want: "1 2"},
		{limit: 3, push: 3, want: "1 2 3"},
		{limit: 3, push: 4, want: "2 3 4", dropped: 1},
		{limit: 3, push: 8, want: "6 7 8", dropped: 5},
		{limit: 1, push: 3, want: "3", dropped: 2},
		{limit: 0, push: 2, want: "2", dropped: 1}, // a limit below 1 keeps one row
	} {
		t.Run(fmt.Sprintf("%d_of_%d", tc.push, tc.limit), func(t *testing.T) {
			r := newRing(tc.limit)
			dropped := 0
			for i := 1; i <= tc.push; i++ {
				if r.push(row{rev: int64(i)}) {
					dropped++
				}
			}
			var got []string
			for i := 0; i < r.len(); i++ {
				got = append(got, fmt.Sprint(r.at(i).rev))
			}
			if strings.Join(got, " ") != tc.want || dropped != tc.dropped {
				t.Fatalf("ring holds %q after dropping %d, want %q and %d", got, dropped, tc.want, tc.dropped)
			}
			r.clear()
			if r.len() != 0 || r.push(row{}) {
				t.Fatal("clear left rows behind")
			}
		})
	}
}
