package cluster

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// This file is the defragment's plan, by the rules of ahrtr/etcd-defrag: every member healthy
// first (a NOSPACE alarm alone does not count: defragmenting is how it is cleared), followers
// first and the leader last, and the rule's verdict for each member. defragrun.go carries it out.

// ErrUnhealthy is what a defragment's health check Is when a member is not healthy: nothing
// was defragmented (a defragment blocks a member; with another one down, quorum could go).
var ErrUnhealthy = errors.New("the cluster is not healthy")

// DefragTarget is one member in a defragment's order, with its sizes before and the rule's verdict.
type DefragTarget struct {
	ID       uint64      `json:"-"`
	IDHex    string      `json:"member_id"`
	Name     string      `json:"name"`
	Endpoint string      `json:"endpoint"`
	Leader   bool        `json:"leader"`
	Given    bool        `json:"-"` // Endpoint is one of the session's, not the advertised URL
	Before   MemberSizes `json:"before"`
	Revision int64       `json:"-"`
	Needs    bool        `json:"needs_defrag"`
	Verdict  string      `json:"verdict"`
}

// Label is "m2 (leader)" or "m0".
func (t DefragTarget) Label() string {
	if t.Leader {
		return EscapeText(t.Name) + " (leader)"
	}
	return EscapeText(t.Name)
}

// MemberHealthCheck is one member's answer to the health check.
type MemberHealthCheck struct {
	Name    string
	Healthy bool
	Why     string // why not, or "NOSPACE alarm (defragment clears it)" on a healthy one
}

// DefragPlan reads the member list, checks every member's health and status, and returns the
// members in the order a defragment takes them: followers first, the leader last; learners are
// included (they hold a database too). It returns ErrUnhealthy (wrapped, naming the members)
// when a member does not answer a linearizable read or a CORRUPT alarm is raised.
func (c *Client) DefragPlan(ctx context.Context, rule DefragRule) ([]DefragTarget, error) {
	list, err := c.ListMembers(ctx)
	if err != nil {
		return nil, err
	}
	checks, targets := c.probeMembers(ctx, list)
	var bad []string
	for _, h := range checks {
		if !h.Healthy {
			bad = append(bad, EscapeText(h.Name)+": "+h.Why)
		}
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("%w (%s): nothing was defragmented", ErrUnhealthy, strings.Join(bad, "; "))
	}
	var followers, leaders []DefragTarget
	for _, t := range targets {
		t.Needs, t.Verdict = rule.Verdict(t.Before)
		if t.Leader {
			leaders = append(leaders, t)
		} else {
			followers = append(followers, t)
		}
	}
	return append(followers, leaders...), nil
}

// CheckHealth is the health check alone (between two members' defragments): ErrUnhealthy
// naming the members that are not healthy, nil when all are.
func (c *Client) CheckHealth(ctx context.Context) error {
	_, err := c.DefragPlan(ctx, DefragRule{})
	return err
}

// probeMembers asks every member at once, on its own connection, for a linearizable read (the
// health check of etcdctl endpoint health and etcd-defrag) and its status; the alarms come from
// the cluster once.
func (c *Client) probeMembers(ctx context.Context, list MemberList) ([]MemberHealthCheck, []DefragTarget) {
	alarms, alarmErr := c.Alarms(ctx)
	eps := c.memberEndpoints(ctx)
	checks := make([]MemberHealthCheck, len(list.Members))
	targets := make([]DefragTarget, len(list.Members))
	var wg sync.WaitGroup
	for i, mm := range list.Members {
		ep, ok := eps[mm.ID]
		if !ok && len(mm.ClientURLs) > 0 {
			ep = mm.ClientURLs[0]
		}
		targets[i] = DefragTarget{ID: mm.ID, IDHex: fmt.Sprintf("%x", mm.ID), Name: mm.Name, Endpoint: ep, Given: ok}
		checks[i] = MemberHealthCheck{Name: mm.Name}
		if mm.Name == "" {
			checks[i].Name = targets[i].IDHex
			targets[i].Name = targets[i].IDHex
		}
		if ep == "" {
			checks[i].Why = "not started (no client URL)"
			continue
		}
		wg.Go(func() { checks[i], targets[i] = c.probeMember(ctx, checks[i], targets[i]) })
	}
	wg.Wait()
	for i, t := range targets {
		if !checks[i].Healthy {
			continue
		}
		if alarmErr != nil {
			checks[i].Healthy, checks[i].Why = false, "the alarm list could not be read: "+alarmErr.Error()
			continue
		}
		for _, a := range alarms {
			if a.MemberID != t.ID {
				continue
			}
			if a.Kind == pb.AlarmType_NOSPACE.String() {
				checks[i].Why = "NOSPACE alarm (a defragment is how it is cleared)"
			} else {
				checks[i].Healthy, checks[i].Why = false, a.Kind+" alarm raised"
			}
		}
	}
	return checks, targets
}

// probeMember reads one member's health and status on a connection of its own.
func (c *Client) probeMember(ctx context.Context, h MemberHealthCheck, t DefragTarget) (MemberHealthCheck, DefragTarget) {
	cl, err := c.DialMember(ctx, t.Endpoint)
	if err != nil {
		h.Why = err.Error()
		return h, t
	}
	defer cl.Close()
	cctx, cancel := c.ctx(ctx)
	defer cancel()
	// Any key will do: an answer (or a permission refusal) proves the member serves reads
	// through the leader.
	if _, err := cl.Get(cctx, "health"); err != nil && !IsPermissionDenied(err) {
		h.Why = Explain(err).Error()
		return h, t
	}
	st, err := cl.Status(cctx, t.Endpoint)
	if err != nil {
		h.Why = "status: " + Explain(err).Error()
		return h, t
	}
	h.Healthy = true
	t.Before = sizesOf(st)
	t.Leader = st.Leader != 0 && st.Leader == st.Header.GetMemberId()
	t.Revision = st.Header.GetRevision()
	return h, t
}

// memberEndpoints maps each member answering at one of the session's endpoints to that
// endpoint: the user's way in (a port-forward) is used before the member's advertised URL,
// which may not be reachable from here.
func (c *Client) memberEndpoints(ctx context.Context) map[uint64]string {
	out := map[uint64]string{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, ep := range c.conf.Endpoints {
		wg.Go(func() {
			cctx, cancel := c.ctx(ctx)
			defer cancel()
			st, err := c.c.Status(cctx, ep)
			if err != nil || st.Header == nil {
				return
			}
			mu.Lock()
			out[st.Header.MemberId] = ep
			mu.Unlock()
		})
	}
	wg.Wait()
	return out
}

func sizesOf(st *clientv3.StatusResponse) MemberSizes {
	return MemberSizes{DBSize: st.DbSize, InUse: st.DbSizeInUse, Quota: st.DbSizeQuota}
}
