package cluster

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// This file is the consistency check (issue 19's `x` and :hashkv): the HashKV of every voting
// member at one revision. Two members' hashes only mean something when they hash the same
// history, so only members that report the same compact revision are compared; a learner
// answers no HashKV (etcd serves it only Status and serializable reads) and is left out, said.

// MemberHash is one member's answer to HashKV.
type MemberHash struct {
	ID       uint64 `json:"id"`
	Name     string `json:"name"`
	Endpoint string `json:"endpoint"`
	// Hash of the keyspace up to the report's revision, from CompactRev on.
	Hash       uint32 `json:"hash"`
	CompactRev int64  `json:"compact_revision"`
	// Skipped says why the member was not asked (a learner, not started); Err why it failed.
	Skipped string `json:"skipped,omitempty"`
	Err     error  `json:"-"`
}

// Label is the member's name, or its hex ID when it has none.
func (h MemberHash) Label() string {
	if h.Name != "" {
		return h.Name
	}
	return fmt.Sprintf("%x", h.ID)
}

// HashReport is a consistency check: the revision every member hashed and each member's answer.
type HashReport struct {
	Rev     int64        `json:"revision"`
	Members []MemberHash `json:"members"`
}

// HashMismatch is a disagreement among members with the same compact revision: each side is the
// members that computed one hash.
type HashMismatch struct {
	CompactRev int64
	Sides      []HashSide
}

// HashSide is the members that agree on one hash.
type HashSide struct {
	Hash    uint32
	Members []string
}

// Compared counts the members whose hash was compared with at least one other's.
func (r HashReport) Compared() int {
	n := 0
	for _, g := range r.groups() {
		if len(g) > 1 {
			n += len(g)
		}
	}
	return n
}

// Mismatches are the compact revisions at which the members disagree; nil when all agree.
func (r HashReport) Mismatches() []HashMismatch {
	var out []HashMismatch
	for rev, g := range r.groups() {
		byHash := map[uint32][]string{}
		for _, h := range g {
			byHash[h.Hash] = append(byHash[h.Hash], h.Label())
		}
		if len(byHash) < 2 {
			continue
		}
		mm := HashMismatch{CompactRev: rev}
		for hash, names := range byHash {
			sort.Strings(names)
			mm.Sides = append(mm.Sides, HashSide{Hash: hash, Members: names})
		}
		// The larger side first: it is the likelier healthy one (not proof: a majority can be wrong).
		sort.Slice(mm.Sides, func(i, j int) bool {
			if len(mm.Sides[i].Members) != len(mm.Sides[j].Members) {
				return len(mm.Sides[i].Members) > len(mm.Sides[j].Members)
			}
			return mm.Sides[i].Members[0] < mm.Sides[j].Members[0]
		})
		out = append(out, mm)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CompactRev < out[j].CompactRev })
	return out
}

// Alone are the members that answered but share their compact revision with no other member,
// so nothing could be compared with them (a compaction was being applied: run it again).
func (r HashReport) Alone() []string {
	var out []string
	for _, g := range r.groups() {
		if len(g) == 1 {
			out = append(out, g[0].Label())
		}
	}
	sort.Strings(out)
	return out
}

// groups are the members that answered, by compact revision.
func (r HashReport) groups() map[int64][]MemberHash {
	out := map[int64][]MemberHash{}
	for _, h := range r.Members {
		if h.Err == nil && h.Skipped == "" {
			out[h.CompactRev] = append(out[h.CompactRev], h)
		}
	}
	return out
}

// hashKVRetries bounds the tries of a member that has not applied the revision yet (it
// answers "future revision" for a moment after a write).
const hashKVRetries = 20

// HashKV asks every voting member of the member list for the hash of its keyspace at one
// revision (0: the current one, read through a quorum read). A read: allowed in read-only mode.
func (c *Client) HashKV(ctx context.Context, rev int64) (HashReport, error) {
	list, err := c.ListMembers(ctx)
	if err != nil {
		return HashReport{}, err
	}
	if rev <= 0 {
		cctx, cancel := c.ctx(ctx)
		resp, err := c.c.Get(cctx, "hashkv", clientv3.WithCountOnly())
		cancel()
		if err != nil {
			return HashReport{}, Explain(err)
		}
		rev = resp.Header.GetRevision()
	}
	eps := c.memberEndpoints(ctx)
	var targets []MemberHash
	for _, mm := range list.Members {
		h := MemberHash{ID: mm.ID, Name: mm.Name, Endpoint: eps[mm.ID]}
		if h.Endpoint == "" && len(mm.ClientURLs) > 0 {
			h.Endpoint = mm.ClientURLs[0]
		}
		switch {
		case mm.Learner:
			h.Skipped = "a learner: etcd answers it no HashKV"
		case h.Endpoint == "":
			h.Skipped = "not started (no client URL)"
		}
		targets = append(targets, h)
	}
	return c.hashEndpoints(ctx, rev, targets), nil
}

// hashEndpoints asks each target not skipped, at once, for its hash at rev.
func (c *Client) hashEndpoints(ctx context.Context, rev int64, targets []MemberHash) HashReport {
	rep := HashReport{Rev: rev, Members: targets}
	done := make(chan struct{}, len(targets))
	for i := range rep.Members {
		if rep.Members[i].Skipped != "" {
			done <- struct{}{}
			continue
		}
		go func(h *MemberHash) {
			defer func() { done <- struct{}{} }()
			h.Hash, h.CompactRev, h.Err = c.hashOne(ctx, h.Endpoint, rev)
		}(&rep.Members[i])
	}
	for range targets {
		<-done
	}
	return rep
}

// hashOne is one member's HashKV at rev, tried again while the member has not applied rev.
func (c *Client) hashOne(ctx context.Context, endpoint string, rev int64) (uint32, int64, error) {
	for try := 0; ; try++ {
		cctx, cancel := c.ctx(ctx)
		resp, err := c.c.HashKV(cctx, endpoint, rev)
		cancel()
		if err == nil {
			return resp.Hash, resp.CompactRevision, nil
		}
		if !errors.Is(err, rpctypes.ErrFutureRev) && !strings.Contains(err.Error(), rpctypes.ErrFutureRev.Error()) || try == hashKVRetries {
			return 0, 0, Explain(err)
		}
		select {
		case <-ctx.Done():
			return 0, 0, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// HashKVEndpoints is HashKV of the members answering at endpoints, which need not be in one
// member list (a member restored beside the cluster, to check it before it joins); rev must be
// given (> 0), as the endpoints may not share a current revision.
func (c *Client) HashKVEndpoints(ctx context.Context, rev int64, endpoints []string) (HashReport, error) {
	if rev <= 0 {
		return HashReport{}, errors.New("hash at which revision? give one from 1")
	}
	targets := make([]MemberHash, len(endpoints))
	for i, ep := range endpoints {
		targets[i].Endpoint = ep
		cctx, cancel := c.ctx(ctx)
		st, err := c.c.Status(cctx, ep)
		cancel()
		if err != nil {
			targets[i].Name, targets[i].Err = ep, Explain(err)
			continue
		}
		targets[i].ID, targets[i].Name = st.Header.GetMemberId(), ep
	}
	rep := HashReport{Rev: rev, Members: targets}
	var todo []int
	for i, h := range targets {
		if h.Err == nil {
			todo = append(todo, i)
		}
	}
	sub := make([]MemberHash, len(todo))
	for j, i := range todo {
		sub[j] = targets[i]
	}
	got := c.hashEndpoints(ctx, rev, sub)
	for j, i := range todo {
		rep.Members[i] = got.Members[j]
	}
	return rep, nil
}
