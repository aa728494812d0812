package cluster

import (
	"context"
	"fmt"
	"sync"

	clientv3 "go.etcd.io/etcd/client/v3"
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
	// Every endpoint at once, the first answer wins: a dead endpoint first in the list would
	// otherwise hold each poll for the whole --command-timeout (gRPC waits for it to be ready).
	type answer struct {
		ep  string
		st  *clientv3.StatusResponse
		err error
	}
	eps := c.c.Endpoints()
	answers := make(chan answer, len(eps))
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	for _, ep := range eps {
		go func() {
			st, err := c.endpointStatus(sctx, ep)
			answers <- answer{ep, st, err}
		}()
	}
	var lastErr error
	for range eps {
		a := <-answers
		if a.err != nil {
			lastErr = a.err
			continue
		}
		ep, st := a.ep, a.st
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
	// No member answered: name why (refused, silent, not etcd) rather than "timed out".
	return Overview{}, c.explainDown(ctx, lastErr)
}
