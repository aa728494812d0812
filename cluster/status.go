package cluster

import (
	"context"
	"fmt"
)

// Overview is what the status bar shows: the current revision and who leads.
type Overview struct {
	Revision   int64
	LeaderID   uint64
	LeaderName string
	// Endpoint is the endpoint that answered.
	Endpoint string
}

// Overview asks the first endpoint that answers for its status and names the leader from the
// member list.
func (c *Client) Overview(ctx context.Context) (Overview, error) {
	ctx, cancel := c.ctx(ctx)
	defer cancel()
	var lastErr error
	for _, ep := range c.c.Endpoints() {
		st, err := c.c.Status(ctx, ep)
		if err != nil {
			lastErr = err
			continue
		}
		o := Overview{Revision: st.Header.Revision, LeaderID: st.Leader, Endpoint: ep}
		if ml, err := c.c.MemberList(ctx); err == nil {
			for _, m := range ml.Members {
				if m.ID == st.Leader {
					o.LeaderName = m.Name
				}
			}
		}
		if o.LeaderName == "" && o.LeaderID != 0 {
			o.LeaderName = fmt.Sprintf("%x", o.LeaderID)
		}
		return o, nil
	}
	return Overview{}, Explain(lastErr)
}
