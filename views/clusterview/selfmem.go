package clusterview

import (
	"context"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/views/common"
)

// selfMem is the console's own memory under the member's details (issue 22: a console left
// open for days shows what it holds against its limit). It is sampled by its own poller at
// the health interval while the details are on screen (Model.selfFocus), and only then.
type selfMem struct {
	poll *common.Poller[common.SelfMemory] // nil without a session (rendering tests)
	last *common.SelfMemory                // nil until the first sample
	err  string                            // why the last sample was partial, "" when it was not
}

func newSelfMem(ctx context.Context, interval time.Duration) selfMem {
	return selfMem{poll: common.NewPoller("cluster.selfmem", interval, interval,
		func(context.Context) (common.SelfMemory, error) { return common.ReadSelfMemory() },
		common.PollContext(ctx))}
}

func (s *selfMem) focus() tea.Cmd {
	if s.poll == nil {
		return nil
	}
	return s.poll.Focus()
}

func (s *selfMem) blur() {
	if s.poll != nil {
		s.poll.Blur()
	}
}

// update takes the poller's messages; a sample without RSS (no /proc) still shows the heap.
// sampled is true when a sample arrived (a tick only starts one).
func (s *selfMem) update(msg tea.Msg) (cmd tea.Cmd, mine, sampled bool) {
	if s.poll == nil {
		return nil, false, false
	}
	res, mine, cmd := s.poll.Update(msg)
	if res != nil {
		v := res.Value
		s.last, s.err = &v, ""
		if res.Err != nil {
			s.err = res.Err.Error()
		}
	}
	return cmd, mine, res != nil
}

// lines are the details' last section, nothing before the first sample.
func (s *selfMem) lines(st *common.Styles) []string {
	if s.last == nil {
		return nil
	}
	m := s.last
	limit := "no memory limit"
	switch {
	case m.Limit > 0 && m.FromEnv:
		limit = "memory limit " + cluster.FormatBytes(m.Limit) + " (GOMEMLIMIT)"
	case m.Limit > 0:
		limit = "memory limit " + cluster.FormatBytes(m.Limit) + " (watch buffer + caches + runtime)"
	}
	line := fmt.Sprintf(" heap %s · %s", cluster.FormatBytes(m.Heap), limit)
	if m.RSS > 0 {
		line = fmt.Sprintf(" resident %s (peak %s) ·", cluster.FormatBytes(m.RSS), cluster.FormatBytes(m.PeakRSS)) + line
	}
	out := []string{"", st.Title.Render(" This console (etcdeck)"), line}
	if s.err != "" {
		out = append(out, " "+st.Muted.Render(cluster.EscapeText(s.err)))
	}
	return out
}
