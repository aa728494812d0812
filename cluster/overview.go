package cluster

import (
	"context"
	"fmt"
	"sync"
)

// Overview is what the status bar shows: the current revision and who leads.
type Overview struct {
	Revision   int64
	LeaderID   uint64
	LeaderName string
	// Endpoint is the endpoint that answered.
	Endpoint string
}

// memberNames caches member IDs to names: the status bar polls every few seconds, and the
// member list only changes when the leader is one it does not know.
type memberNames struct {
	mu    sync.Mutex
	names map[uint64]string
}

func (m *memberNames) get(id uint64) (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, ok := m.names[id]
	return n, ok
}

func (m *memberNames) set(names map[uint64]string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.names = names
}

// Overview asks the first endpoint that answers for its status and names the leader from the
// member list (asked again only when the leader is a member not seen before).
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
		name, known := c.members.get(st.Leader)
		if !known && st.Leader != 0 {
			if ml, err := c.ListMembers(ctx); err == nil {
				names := make(map[uint64]string, len(ml.Members))
				for _, m := range ml.Members {
					names[m.ID] = m.Name
				}
				c.members.set(names)
				name = names[st.Leader]
			}
		}
		o.LeaderName = name
		if o.LeaderName == "" && o.LeaderID != 0 {
			o.LeaderName = fmt.Sprintf("%x", o.LeaderID)
		}
		return o, nil
	}
	return Overview{}, Explain(lastErr)
}
