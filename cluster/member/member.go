// Package member holds etcdeck's one member type: an entry of a cluster's member list as
// cluster.ListMembers reads it, the Cluster view shows it and a restore plan is built from it. It
// is a leaf package so that embednode (whose test helpers cluster's own tests use) can take it
// without importing cluster.
package member

import "fmt"

// Info is one entry of the cluster's member list.
type Info struct {
	ID         uint64   `json:"id"`
	Name       string   `json:"name"` // "" for a member added but not started yet
	ClientURLs []string `json:"client_urls"`
	PeerURLs   []string `json:"peer_urls"`
	Learner    bool     `json:"learner"`
}

// IDString is the member ID as etcdctl prints it (hex).
func (m Info) IDString() string { return fmt.Sprintf("%x", m.ID) }

// Label names the member for people: its name, or its ID when it has none yet (added, not started).
func (m Info) Label() string {
	if m.Name != "" {
		return m.Name
	}
	return m.IDString()
}
