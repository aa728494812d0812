package cluster

import (
	"context"
	"fmt"
	"sort"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
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

// MemberInfo is one entry of the cluster's member list.
type MemberInfo struct {
	ID         uint64   `json:"id"`
	Name       string   `json:"name"`
	ClientURLs []string `json:"client_urls"`
	PeerURLs   []string `json:"peer_urls"`
	Learner    bool     `json:"learner"`
}

// IDString is the member ID as etcdctl prints it (hex).
func (m MemberInfo) IDString() string { return fmt.Sprintf("%x", m.ID) }

// Label names the member for people: its name, or its ID when it has none yet (added, not started).
func (m MemberInfo) Label() string {
	if m.Name != "" {
		return m.Name
	}
	return m.IDString()
}

// MembersOf converts etcd's member list, sorted by name then ID.
func MembersOf(list []*pb.Member) []MemberInfo {
	out := make([]MemberInfo, 0, len(list))
	for _, mm := range list {
		out = append(out, MemberInfo{ID: mm.ID, Name: mm.Name, Learner: mm.IsLearner,
			ClientURLs: append([]string(nil), mm.ClientURLs...), PeerURLs: append([]string(nil), mm.PeerURLs...)})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].ID < out[j].ID
	})
	return out
}
