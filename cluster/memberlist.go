package cluster

import (
	"context"
	"fmt"
)

// ListedMember is one entry of the cluster's member list, as a restore plan needs it.
type ListedMember struct {
	ID         uint64
	Name       string // "" for a member added but not started yet
	PeerURLs   []string
	ClientURLs []string
	IsLearner  bool
}

// MemberList is the cluster's ID and its members.
type MemberList struct {
	ClusterID uint64
	Members   []ListedMember
}

// ListMembers reads the member list through a quorum read, so a plan is never built from a
// partitioned member's stale view.
func (c *Client) ListMembers(ctx context.Context) (MemberList, error) {
	ctx, cancel := c.ctx(ctx)
	defer cancel()
	resp, err := c.c.MemberList(ctx)
	if err != nil {
		return MemberList{}, fmt.Errorf("member list: %w", Explain(err))
	}
	out := MemberList{ClusterID: resp.Header.GetClusterId()}
	for _, m := range resp.Members {
		out.Members = append(out.Members, ListedMember{ID: m.ID, Name: m.Name, PeerURLs: m.PeerURLs,
			ClientURLs: m.ClientURLs, IsLearner: m.IsLearner})
	}
	return out, nil
}
