package monitor

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/member"
)

// Monitor watches every member of a cluster for the Cluster view and `etcdeck diagnose`: it keeps
// one client per member open (a dial per poll would cost more than the poll), dialled with the
// session's TLS and credentials, and polls them concurrently. Its methods are safe for concurrent
// use; the pure bookkeeping of what the polls saw lives in Tracker.
type Monitor struct {
	base *cluster.Client
	ctx  context.Context
	stop context.CancelFunc
	http *http.Client

	mu       sync.Mutex
	members  []member.Info
	conns    map[uint64]*memberConn
	inflight map[uint64]chan MemberHealth
	partial  map[uint64]partialProbe // what a probe still running has learnt so far
	// configured maps a member ID to the configured endpoint that answered as that member.
	configured map[uint64]string
}

// partialProbe is the Status a running probe already has, for a poll that cannot wait for it.
type partialProbe struct {
	status *MemberStatus
	took   time.Duration
}

// memberConn is the open client to one member, keyed by the URL it was dialled with so a member
// whose URL changes is dialled again.
type memberConn struct {
	mu  sync.Mutex
	url string
	c   *clientv3.Client
}

// NewMonitor returns a monitor of the cluster c is connected to. Its probes run under ctx (the
// session's context): cancelling it ends them. Close releases the member clients.
func NewMonitor(ctx context.Context, c *cluster.Client) *Monitor {
	mctx, stop := context.WithCancel(ctx)
	tr := &http.Transport{MaxIdleConnsPerHost: 1, IdleConnTimeout: time.Minute}
	if c.TLS() != nil {
		tr.TLSClientConfig = c.TLS().Clone()
	}
	m := &Monitor{
		base:     c,
		ctx:      mctx,
		stop:     stop,
		http:     &http.Client{Transport: tr},
		conns:    map[uint64]*memberConn{},
		inflight: map[uint64]chan MemberHealth{},
		partial:  map[uint64]partialProbe{},
	}
	// The session ending closes the member clients too, whoever forgets to call Close.
	context.AfterFunc(mctx, m.Close)
	return m
}

// Close stops the probes still running and closes the member clients.
func (m *Monitor) Close() {
	m.stop()
	m.mu.Lock()
	defer m.mu.Unlock()
	for id, mc := range m.conns {
		mc.close()
		delete(m.conns, id)
	}
	m.http.CloseIdleConnections()
}

// knownMembers is the member list last seen, read from the session's client when there is none
// yet.
func (m *Monitor) knownMembers(ctx context.Context, timeout time.Duration) ([]member.Info, error) {
	if list := m.Members(); len(list) > 0 {
		return list, nil
	}
	list, err := m.listMembers(ctx, timeout)
	if err != nil {
		return nil, err
	}
	m.learnConfigured(ctx, timeout)
	m.setMembers(list)
	return list, nil
}

// nameOf names a member of the last list seen, or gives its ID in hex.
func (m *Monitor) nameOf(id uint64) string {
	for _, mm := range m.Members() {
		if mm.ID == id {
			return mm.Label()
		}
	}
	return fmt.Sprintf("%x", id)
}

// Members returns the member list last seen (empty before the first poll).
func (m *Monitor) Members() []member.Info {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]member.Info(nil), m.members...)
}

// listMembers asks the session's client for the member list, to start from.
func (m *Monitor) listMembers(ctx context.Context, timeout time.Duration) ([]member.Info, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	list, err := m.base.LocalMembers(ctx)
	if err != nil {
		return nil, err
	}
	return list.Members, nil
}

// setMembers records the member list and closes the clients of members that left it.
func (m *Monitor) setMembers(list []member.Info) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.members = list
	keep := map[uint64]bool{}
	for _, mm := range list {
		keep[mm.ID] = true
	}
	for id, mc := range m.conns {
		if !keep[id] {
			mc.close()
			delete(m.conns, id)
		}
	}
}

// conn returns the member's connection holder, created on first use.
func (m *Monitor) conn(id uint64) *memberConn {
	m.mu.Lock()
	defer m.mu.Unlock()
	mc := m.conns[id]
	if mc == nil {
		mc = &memberConn{}
		m.conns[id] = mc
	}
	return mc
}

// client returns an open client to url, dialling it (with the session's TLS and user) the first
// time or when the member's URL changed.
func (m *Monitor) client(mc *memberConn, url string) (*clientv3.Client, error) {
	mc.mu.Lock()
	defer mc.mu.Unlock()
	if mc.c != nil && mc.url == url {
		return mc.c, nil
	}
	if mc.c != nil {
		mc.c.Close()
		mc.c = nil
	}
	c, err := m.base.DialMember(m.ctx, url)
	if err != nil {
		return nil, err
	}
	mc.c, mc.url = c, url
	return c, nil
}

func (mc *memberConn) close() {
	mc.mu.Lock()
	defer mc.mu.Unlock()
	if mc.c != nil {
		mc.c.Close()
		mc.c = nil
	}
}

// url is where to poll a member: the configured endpoint that answered as this member when
// there is one (the user's way in, e.g. a port-forward, where the advertised URL may not be
// reachable from here), else its first advertised client URL; "" when it has none.
func (m *Monitor) url(mm member.Info) string {
	m.mu.Lock()
	ep, ok := m.configured[mm.ID]
	m.mu.Unlock()
	if ok {
		return withScheme(ep, m.base.TLS())
	}
	if len(mm.ClientURLs) == 0 {
		return ""
	}
	return withScheme(mm.ClientURLs[0], m.base.TLS())
}

// withScheme gives an endpoint written etcdctl's way ("10.0.0.1:2379") its scheme (https when
// the session uses TLS), so /metrics can be fetched from it too.
func withScheme(ep string, t *tls.Config) string {
	if strings.Contains(ep, "://") {
		return ep
	}
	if t != nil {
		return "https://" + ep
	}
	return "http://" + ep
}

// learnConfigured asks each configured endpoint which member answers there, once: polls then
// go through the endpoints the user gave for those members.
func (m *Monitor) learnConfigured(ctx context.Context, timeout time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	found := map[uint64]string{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, ep := range m.base.Config().Endpoints {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if st, err := m.base.EndpointStatus(ctx, ep); err == nil && st.Header != nil {
				mu.Lock()
				found[st.Header.MemberId] = ep
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	m.mu.Lock()
	m.configured = found
	m.mu.Unlock()
}
