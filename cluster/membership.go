package cluster

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/etcdeck/etcdeck/cluster/member"
)

// This file is the Cluster API's membership changes (issue 19), for replacing a dead member the
// way the runbooks do it: add the new member as a learner, start it with the flags printed here,
// promote it once it has caught up, remove the dead one. Each goes through the write gate
// (read-only refusal, audit line).

// JoinPlan is a learner just added and what it must be started with to join.
type JoinPlan struct {
	ID      uint64
	Name    string
	PeerURL string
	// ClientURL is where the new member serves clients; ClientGuessed is set when the user gave
	// none and it is the peer URL's host at etcd's default client port.
	ClientURL     string
	ClientGuessed bool
	// InitialCluster is --initial-cluster: every member already started and the new one.
	InitialCluster string
}

// Flags are the etcd flags that start the new member, in order, each flag and its value as
// separate words (unquoted: the caller quotes them for a shell).
func (p JoinPlan) Flags() []string {
	return []string{
		"--name", p.Name,
		"--initial-advertise-peer-urls", p.PeerURL,
		"--listen-peer-urls", p.PeerURL,
		"--advertise-client-urls", p.ClientURL,
		"--listen-client-urls", p.ClientURL,
		"--initial-cluster", p.InitialCluster,
		"--initial-cluster-state", "existing",
	}
}

// defaultClientPort is etcd's client port, the guess when no client URL is given.
const defaultClientPort = "2379"

// checkMemberURL accepts an http(s) URL with a host and a port, as etcd's URL flags want.
func checkMemberURL(what, s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.Port() == "" || (u.Path != "" && u.Path != "/") {
		return nil, fmt.Errorf("%s %s is not a URL like http://10.0.0.4:2380 (scheme, host and port)", what, EscapeText(s))
	}
	return u, nil
}

// checkMemberName refuses a name --initial-cluster cannot carry.
func checkMemberName(name string) error {
	switch {
	case name == "":
		return errors.New("the new member needs a name")
	case strings.ContainsAny(name, "=, \t\r\n"):
		return fmt.Errorf("member name %s holds '=', ',' or a space, which --initial-cluster cannot carry", EscapeText(name))
	}
	return nil
}

// AddLearner adds a member as a learner (it receives the log but does not vote until promoted,
// so a slow start cannot cost the cluster its quorum) and returns how to start it. clientURL may
// be "": the peer URL's host at port 2379, said in the plan.
func (c *Client) AddLearner(ctx context.Context, name, peerURL, clientURL string) (JoinPlan, error) {
	p := JoinPlan{Name: name, PeerURL: peerURL, ClientURL: clientURL}
	if err := checkMemberName(name); err != nil {
		return p, err
	}
	pu, err := checkMemberURL("peer URL", peerURL)
	if err != nil {
		return p, err
	}
	if clientURL == "" {
		p.ClientURL, p.ClientGuessed = pu.Scheme+"://"+pu.Hostname()+":"+defaultClientPort, true
		if strings.Contains(pu.Hostname(), ":") {
			p.ClientURL = pu.Scheme + "://[" + pu.Hostname() + "]:" + defaultClientPort
		}
	} else if _, err := checkMemberURL("client URL", clientURL); err != nil {
		return p, err
	}
	e := AuditEntry{Action: "member-add-learner", Target: EscapeText(name) + " " + EscapeText(peerURL)}
	_, err = c.write(ctx, e, func(ctx context.Context, _ *AuditEntry) (int64, error) {
		list, err := c.ListMembers(ctx)
		if err != nil {
			return 0, err
		}
		for _, m := range list.Members {
			if m.Name == name {
				return 0, fmt.Errorf("a member is already named %s", EscapeText(name))
			}
			for _, u := range m.PeerURLs {
				if u == peerURL {
					return 0, fmt.Errorf("%s already has the peer URL %s", EscapeText(m.Label()), EscapeText(peerURL))
				}
			}
		}
		resp, err := c.c.MemberAddAsLearner(ctx, []string{peerURL})
		if err != nil {
			return 0, explainReconfig(err)
		}
		p.ID = resp.Member.ID
		p.InitialCluster = initialCluster(MembersOf(resp.Members), p.ID, name)
		return resp.Header.GetRevision(), nil
	})
	return p, err
}

// initialCluster is --initial-cluster for the member id being started under name: the members
// that have started (a name) and the new one; etcd checks it against the member list.
func initialCluster(members []member.Info, id uint64, name string) string {
	var parts []string
	for _, m := range members {
		n := m.Name
		if m.ID == id {
			n = name
		}
		if n == "" {
			continue // added, never started: etcd leaves it out too
		}
		for _, u := range m.PeerURLs {
			parts = append(parts, n+"="+u)
		}
	}
	return strings.Join(parts, ",")
}

// PromoteMember makes a learner a voting member; etcd refuses while its log is behind the
// leader's ("not in sync"), so the caller shows the lag first.
func (c *Client) PromoteMember(ctx context.Context, id uint64, label string) error {
	e := AuditEntry{Action: "member-promote", Target: EscapeText(label)}
	_, err := c.write(ctx, e, func(ctx context.Context, _ *AuditEntry) (int64, error) {
		resp, err := c.c.MemberPromote(ctx, id)
		if err != nil {
			return 0, explainReconfig(err)
		}
		return resp.Header.GetRevision(), nil
	})
	return err
}

// ErrLastVoter refuses removing the only voting member: the cluster would have no one to
// decide anything, and etcd cannot be brought back from it without a restore.
var ErrLastVoter = errors.New("it is the last voting member: removing it would leave a cluster that cannot decide anything")

// RemoveImpact is what removing a member does to the quorum, from the member list and which
// members answer now.
type RemoveImpact struct {
	// Voters and Healthy count the voting members, and those that answer, before the removal.
	Voters, Healthy int
	// Learner is set when the member removed is a learner: the quorum does not change.
	Learner bool
	// LastVoter: the removal is refused.
	LastVoter bool
	// LosesQuorum: after the removal fewer voters answer than the new quorum needs.
	LosesQuorum bool
	// Quorum is the quorum after the removal.
	Quorum int
}

// ImpactOfRemoving works out RemoveImpact of removing id; healthy says which members answer.
func ImpactOfRemoving(members []member.Info, healthy map[uint64]bool, id uint64) RemoveImpact {
	var r RemoveImpact
	targetVotes, targetHealthy := false, false
	for _, m := range members {
		if m.Learner {
			if m.ID == id {
				r.Learner = true
			}
			continue
		}
		r.Voters++
		if healthy[m.ID] {
			r.Healthy++
		}
		if m.ID == id {
			targetVotes, targetHealthy = true, healthy[m.ID]
		}
	}
	if !targetVotes {
		r.Quorum = r.Voters/2 + 1
		r.LosesQuorum = r.Healthy < r.Quorum
		return r
	}
	after, answering := r.Voters-1, r.Healthy
	if targetHealthy {
		answering--
	}
	r.LastVoter = after == 0
	r.Quorum = after/2 + 1
	r.LosesQuorum = !r.LastVoter && answering < r.Quorum
	return r
}

// RemoveMember removes the member id from the cluster. The last voting member is refused
// (ErrLastVoter) here, whatever the caller asked; the quorum question is the caller's, asked
// before (ImpactOfRemoving).
func (c *Client) RemoveMember(ctx context.Context, id uint64, label string) error {
	e := AuditEntry{Action: "member-remove", Target: EscapeText(label)}
	_, err := c.write(ctx, e, func(ctx context.Context, _ *AuditEntry) (int64, error) {
		list, err := c.ListMembers(ctx)
		if err != nil {
			return 0, err
		}
		found := false
		for _, m := range list.Members {
			found = found || m.ID == id
		}
		if !found {
			return 0, fmt.Errorf("member %x is not in the member list", id)
		}
		// Every voter counts as answering here: only the last voter is refused outright.
		all := map[uint64]bool{}
		for _, m := range list.Members {
			all[m.ID] = true
		}
		if ImpactOfRemoving(list.Members, all, id).LastVoter {
			return 0, fmt.Errorf("%s: %w", EscapeText(label), ErrLastVoter)
		}
		resp, err := c.c.MemberRemove(ctx, id)
		if err != nil {
			return 0, explainReconfig(err)
		}
		return resp.Header.GetRevision(), nil
	})
	return err
}

// LearnerLag is how far a learner's applied log is behind the leader's log, from one status
// of each (RaftIndex of the leader, RaftAppliedIndex of the learner); 0 when caught up.
func LearnerLag(leaderIndex, learnerApplied uint64) uint64 {
	if learnerApplied >= leaderIndex {
		return 0
	}
	return leaderIndex - learnerApplied
}

// explainReconfig says etcd's refusals of a membership change in an operator's words.
func explainReconfig(err error) error {
	switch msg := err.Error(); {
	case strings.Contains(msg, "unhealthy cluster"):
		return fmt.Errorf("etcd refuses membership changes until every voting member has been connected for 5 s (unhealthy cluster): check the table, then try again: %w", Explain(err))
	case strings.Contains(msg, "not in sync"):
		return fmt.Errorf("the learner has not caught up with the leader yet (etcd refuses the promote): wait until its lag is 0: %w", Explain(err))
	case strings.Contains(msg, "re-configuration failed due to not enough started members"):
		return fmt.Errorf("too few members have started for this change: %w", Explain(err))
	}
	return Explain(err)
}
