package cluster

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// MoveLeader asks the current leader to hand the leadership to the member with ID to (etcdctl
// move-leader): the request must reach the leader itself, so it goes on a connection to the
// leader's endpoint. It goes through the write gate (read-only refusal, audit line) and returns
// the leader's ID before the move.
func (c *Client) MoveLeader(ctx context.Context, to uint64) (from uint64, err error) {
	e := AuditEntry{Action: "move-leader", Target: fmt.Sprintf("to %x", to)}
	_, err = c.writeTimeout(ctx, c.conf.CommandTimeout+5*time.Second, e, func(ctx context.Context, e *AuditEntry) (int64, error) {
		list, err := c.ListMembers(ctx)
		if err != nil {
			return 0, err
		}
		eps := c.memberEndpoints(ctx)
		names := map[uint64]string{}
		var toInfo *int
		for i, mm := range list.Members {
			names[mm.ID] = mm.Label()
			if mm.ID == to {
				toInfo = &i
			}
		}
		if toInfo == nil {
			return 0, fmt.Errorf("member %x is not in the member list", to)
		}
		if list.Members[*toInfo].Learner {
			return 0, fmt.Errorf("%s is a learner: promote it before it can lead", EscapeText(names[to]))
		}
		var leaderEp string
		for _, mm := range list.Members {
			ep, ok := eps[mm.ID]
			if !ok && len(mm.ClientURLs) > 0 {
				ep = mm.ClientURLs[0]
			}
			if ep == "" {
				continue
			}
			st, err := c.c.Status(ctx, ep)
			if err != nil || st.Leader == 0 {
				continue
			}
			from = st.Leader
			if st.Leader == st.Header.GetMemberId() {
				leaderEp = ep
				break
			}
		}
		if from == 0 {
			return 0, errors.New("no member knows a leader: nothing to move")
		}
		e.Target = EscapeText(names[from]) + " → " + EscapeText(names[to])
		if from == to {
			return 0, fmt.Errorf("%s already leads", EscapeText(names[to]))
		}
		if leaderEp == "" {
			if l, ok := eps[from]; ok {
				leaderEp = l
			}
			for _, mm := range list.Members {
				if mm.ID == from && leaderEp == "" && len(mm.ClientURLs) > 0 {
					leaderEp = mm.ClientURLs[0]
				}
			}
		}
		cl, err := c.DialMember(ctx, leaderEp)
		if err != nil {
			return 0, err
		}
		defer cl.Close()
		resp, err := cl.MoveLeader(ctx, to)
		if err != nil {
			return 0, Explain(err)
		}
		return resp.Header.GetRevision(), nil
	})
	return from, err
}
