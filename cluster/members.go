package cluster

import (
	"context"
	"fmt"
	"sort"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcdeck/etcdeck/cluster/member"
)

// This file is the Cluster API's member list: the one member type and the one place that reads
// the list (the type is member.Info, in a leaf package embednode can import). The Cluster view's monitor, the restore plan, the status bar's leader name and the
// watch's serving member all go through it.

// MemberList is the cluster's ID and its members, sorted by name then ID.
type MemberList struct {
	ClusterID uint64
	Members   []member.Info
}

// ListMembers reads the member list through a quorum read, so a restore plan is never built from
// a partitioned member's stale view.
func (c *Client) ListMembers(ctx context.Context) (MemberList, error) {
	list, err := c.listMembers(ctx)
	if err != nil {
		return MemberList{}, fmt.Errorf("member list: %w", err)
	}
	return list, nil
}

// LocalMembers reads the member list from whichever member the client talks to, without a quorum
// read: the Cluster view must still see the members while the cluster has no leader.
func (c *Client) LocalMembers(ctx context.Context) (MemberList, error) {
	return c.listMembers(ctx, clientv3.WithSerializable())
}

func (c *Client) listMembers(ctx context.Context, opts ...clientv3.OpOption) (MemberList, error) {
	ctx, cancel := c.ctx(ctx)
	defer cancel()
	resp, err := c.c.MemberList(ctx, opts...)
	if err != nil {
		return MemberList{}, Explain(err)
	}
	return MemberList{ClusterID: resp.Header.GetClusterId(), Members: MembersOf(resp.Members)}, nil
}

// MembersOf converts etcd's member list (as one member's own connection returns it, for the
// monitor's per-member view), sorted by name then ID.
func MembersOf(list []*pb.Member) []member.Info {
	out := make([]member.Info, 0, len(list))
	for _, mm := range list {
		out = append(out, member.Info{ID: mm.ID, Name: mm.Name, Learner: mm.IsLearner,
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
